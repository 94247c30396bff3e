'use strict';
/**
 * The sandbox store: the whole platform state, in memory.
 *
 * Design: dossier *headers* (state, dates, groupe, labels, ...) are small plain objects kept for
 * every dossier; their *content* (champs, annotations, messages, avis, demandeur) is generated
 * lazily and deterministically from (seed, number) and merged with the overrides written by
 * actions (`record.ovr`). 100 000 dossiers therefore cost a few tens of MB and seed in seconds.
 *
 * API (for resolvers, the control API and part 2's mutations):
 *   Reference data (Maps): demarches (number → Demarche), revisions (id → Revision),
 *     groupes (number → Groupe), instructeurs (id → {id, email}), labels (id → Label).
 *   getDossier(number) → DossierRecord | undefined (hidden ones too: see isVisibleByAdministration)
 *   content(record) → {champs, annotations, messages, avis, demandeur, usagerEmail, files...}
 *     (cached by record.version; never mutate what it returns)
 *   listFor(demarcheNumber, 'depot'|'modified') → DossierRecord[] sorted by (key, number)
 *   deletedFor(demarcheNumber) → DeletedRecord[] sorted by (deletedAt, id)
 *   pendingDeletedFor(demarcheNumber) → DossierRecord[] pending deletion (isPendingDeletion), sorted by (pendingKey, number)
 *   Writes (each bumps record.version and dateDerniereModification, keeps lists sorted, and
 *   appends to the event log):
 *     deposit(demarcheNumber, {values?, groupe?, at?, email?}) → record
 *     setValues(number, {[stableId]: raw}, {annotations?: boolean, at?, event?: boolean, api?: boolean})
 *     changeState(number, state, {at?, motivation?, instructeurEmail?, event?}) → previous state
 *     setArchived(number, archived, {at?})
 *     addMessage(number, {body, email, attachments?: FileRef[], correction?, at?}) → message
 *     discardMessage(number, messageId, {at?})
 *     touch(record, {at?, champs?, annotations?})  (low level: any other change)
 *     hideDossier(number, {by, reason?, at?}), purgeDiscardedDossier(number, {at?}), purgeDiscarded({at?}),
 *     restoreDossier(number, {by?}) (the platform's rules); deleteDossier(number, {pending?, reason?, at?})
 *     (control-API shortcut, no rule checked)
 *     recordEvent(type, record, extra)
 *   blobs: Map key → {buffer, contentType, filename} for uploaded bytes (part 2's direct uploads).
 *   events: [{sequence, type, dossierNumber, demarcheNumber, at, previousState?, state?, reason?}]
 *   onEvent: optional listener called with each recorded event (lib/webhooks.js).
 * Raw value formats are documented in generate.js.
 */
const { rng, globalId, formatDateTime } = require('./util');
const { rawValues, buildChamp, fileRef, LOREM, DAY } = require('./generate');
const C = require('./catalog');
const { systemMessages } = require('./systemMessages');

const CONTENT_CACHE_SIZE = 3000;

/** Binary search: first index whose (key, number) is > (key, number) given when `after`, >= otherwise. */
function lowerBound(list, keyOf, key, number, strictlyAfter) {
	let lo = 0;
	let hi = list.length;
	while (lo < hi) {
		const mid = (lo + hi) >>> 1;
		const k = keyOf(list[mid]);
		const n = list[mid].number;
		const less = k < key || (k === key && (strictlyAfter ? n <= number : n < number));
		if (less) lo = mid + 1;
		else hi = mid;
	}
	return lo;
}

const depotKey = (r) => r.depotAt;
const modifiedKey = (r) => r.modifiedAt;

class Store {
	/** @param {{seed: string, clock: import('./clock').Clock}} options */
	constructor({ seed, clock }) {
		this.seed = seed;
		this.clock = clock;
		this.demarches = new Map();
		this.revisions = new Map();
		this.groupes = new Map();
		this.instructeurs = new Map();
		this.labels = new Map();
		this.dossiers = new Map();
		this.lists = new Map(); // demarche → {depot: [], modified: []}
		this.deleted = new Map(); // demarche → DeletedRecord[]
		this.blobs = new Map();
		this.events = [];
		this.eventSequence = 0;
		this.nextDossierNumber = 1;
		this.nextMessageId = 1;
		this.nextDeletedId = 700001;
		this.contentCache = new Map();
		/** The instance's public URL, for links in system messages (index.js sets the listener's). */
		this.siteUrl = () => 'http://127.0.0.1';
		/** Whether the sandbox plays a server from before the mid-2026 pull requests (index.js). */
		this.olderServer = () => false;
		/** Per démarche, the highest dateDerniereModification served in an `updatedSince` page: late commits go behind it. */
		this.lastServedModifiedAt = new Map();
	}

	// --- reads ---------------------------------------------------------------------------------

	getDossier(number) {
		return this.dossiers.get(Number(number));
	}

	listFor(demarcheNumber, order) {
		const lists = this.lists.get(demarcheNumber);
		if (!lists) return [];
		return order === 'modified' ? lists.modified : lists.depot;
	}

	deletedFor(demarcheNumber) {
		return this.deleted.get(demarcheNumber) || [];
	}

	/** `Dossier.hidden_for_administration`, in pendingDeletedDossiers' order (pendingKey, number). */
	pendingDeletedFor(demarcheNumber) {
		return this.listFor(demarcheNumber, 'depot')
			.filter(isPendingDeletion)
			.sort((a, b) => pendingKey(a) - pendingKey(b) || a.number - b.number);
	}

	revisionOf(record) {
		return this.revisions.get(record.revisionId);
	}

	/** The dossier's served content: generated from the seed, then overridden by actions. */
	content(record) {
		const cached = this.contentCache.get(record.number);
		if (cached && cached.version === record.version) return cached.content;
		const content = this.buildContent(record);
		if (this.contentCache.size >= CONTENT_CACHE_SIZE)
			this.contentCache.delete(this.contentCache.keys().next().value);
		this.contentCache.set(record.number, { version: record.version, content });
		return content;
	}

	buildContent(record) {
		const revision = this.revisionOf(record);
		const demarche = this.demarches.get(record.demarche);
		const ctx = {
			number: record.number,
			depotAt: record.depotAt,
			siblings: record.linkCandidates || [],
		};
		const ovr = record.ovr || {};
		const champValues = Object.assign(
			rawValues(revision.champs, this.seed, 'champ', ctx),
			ovr.champs,
		);
		const annotationValues =
			record.state === 'en_construction' && !ovr.annotations
				? {}
				: Object.assign(
						rawValues(revision.annotations, this.seed, 'annotation', ctx),
						ovr.annotations,
					);
		const build = (descs, values, updatedAtByStableId, defaultUpdatedAt, all = []) => {
			const defaultText = formatDateTime(defaultUpdatedAt);
			const out = [];
			for (const desc of descs) {
				const visible =
					!desc.condition || values[desc.condition.stableId] === desc.condition.equals;
				const at = updatedAtByStableId && updatedAtByStableId[desc.stableId];
				// A prefilled dossier (prefill REST) marks only the champs the prefill call set.
				const prefilled = record.prefilledStableIds
					? record.prefilledStableIds.includes(desc.stableId)
					: record.prefilled;
				const champ = buildChamp(
					desc,
					values[desc.stableId],
					at
						? { updatedAt: at, prefilled }
						: {
								updatedAt: defaultUpdatedAt,
								updatedAtText: defaultText,
								prefilled,
							},
				);
				// `all` keeps the champs conditional logic hides too (champs(id:) finds them).
				all.push(champ);
				if (visible) out.push(champ);
			}
			return out;
		};
		const r = rng(this.seed, 'content', record.number);
		const allChamps = [];
		const allAnnotations = [];
		const champs = build(
			revision.champs,
			champValues,
			ovr.champUpdatedAt,
			record.depotAt,
			allChamps,
		);
		// Company data refreshed after the deposit (refreshEtablissements).
		for (const [stableId, change] of Object.entries(ovr.etablissements || {})) {
			const champ = champs.find((c) => c.champDescriptorId === globalId('Champ', Number(stableId)));
			if (champ && champ.etablissement && champ.etablissement.entreprise)
				champ.etablissement = {
					...champ.etablissement,
					entreprise: { ...champ.etablissement.entreprise, ...change },
				};
		}
		const usager = this.usagerOf(record, demarche, r);
		const demandeur = ovr.demandeur || this.demandeurOf(record, demarche, usager, r);
		return {
			champs,
			annotations: build(
				revision.annotations,
				annotationValues,
				ovr.annotationUpdatedAt,
				record.annotationsModifiedAt,
				allAnnotations,
			),
			allChamps,
			allAnnotations,
			champValues,
			annotationValues,
			usager,
			demandeur,
			messages: this.messagesOf(record, usager, r),
			avis: this.avisOf(record, r),
			hasCarte: revision.champs.some((d) => d.type === 'carte'),
		};
	}

	usagerOf(record, demarche, r) {
		const index = r.int(0, C.PRENOMS.length - 1);
		const nomIndex = r.int(0, C.NOMS.length - 1);
		const prenom = C.PRENOMS[index];
		const nom = C.NOMS[nomIndex];
		const email =
			record.usagerEmail ||
			`${C.PRENOMS_ASCII[index]}.${C.NOMS_ASCII[nomIndex]}.${record.number}@exemple.fr`;
		return { id: globalId('User', 50000 + (record.number % 40000)), email, prenom, nom };
	}

	demandeurOf(record, demarche, usager, r) {
		if (demarche.forIndividual) {
			return {
				__typename: 'PersonnePhysique',
				id: globalId('Individual', record.number),
				civilite: r.chance(0.5) ? 'M' : 'Mme',
				nom: usager.nom,
				prenom: usager.prenom,
				email: usager.email,
				dateDeNaissance: r.chance(0.5)
					? `19${r.int(50, 99)}-0${r.int(1, 9)}-1${r.int(0, 9)}`
					: null,
			};
		}
		const { etablissementFor, siretFor, associationFor } = require('./generate');
		const entreprise = r.pick(C.ENTREPRISES);
		const etablissement = etablissementFor(siretFor(entreprise.siren, r));
		const association =
			demarche.number % 2 === 0 ? associationFor(r.pick(C.ASSOCIATIONS).rna) : null;
		return {
			...etablissement,
			id: globalId('Etablissement', record.number),
			association: association
				? {
						rna: association.rna,
						titre: association.titre,
						objet: association.objet,
						dateCreation: '2009-05-12',
						dateDeclaration: '2019-01-08',
						datePublication: '2009-06-01',
					}
				: null,
		};
	}

	messagesOf(record, usager, r) {
		const messages = [];
		const count = record.seededMessages || 0;
		for (let i = 0; i < count; i++) {
			const at =
				record.depotAt +
				(i + 1) * Math.max(1000, Math.floor((record.modifiedAt - record.depotAt) / (count + 1)));
			const fromInstructeur = i % 2 === 1;
			const attachments = r.chance(0.4)
				? [
						fileRef(
							`m${record.number}-${i}-${r.int(400, 9000)}`,
							`piece-jointe-${i + 1}.pdf`,
							'application/pdf',
							0,
							at,
						),
					]
				: [];
			for (const f of attachments) f.byteSize = Number(f.key.split('-').pop());
			messages.push({
				id: globalId('Commentaire', record.number * 10 + i),
				body: fromInstructeur
					? 'Bonjour, pourriez-vous préciser le calendrier du projet ?'
					: r.pick(LOREM),
				email: fromInstructeur ? this.someInstructeurEmail(record) : usager.email,
				createdAt: at,
				attachments,
				correction: null,
				discardedAt: null,
			});
		}
		const ovr = record.ovr;
		if (ovr && ovr.messages) messages.push(...ovr.messages);
		// The platform's own messages at each state change (lib/systemMessages.js).
		messages.push(...systemMessages(record, this.demarches.get(record.demarche), this.siteUrl()));
		if (ovr && ovr.discardedMessages) {
			for (const m of messages) {
				const at = ovr.discardedMessages[m.id];
				// Commentaire#soft_delete!: discarded, body emptied (served as ""), files purged.
				if (at) Object.assign(m, { discardedAt: at, body: '', attachments: [] });
			}
		}
		// dossier.commentaires, in created_at order.
		return messages.sort((a, b) => a.createdAt - b.createdAt);
	}

	avisOf(record, r) {
		if (!record.seededAvis) return record.ovr && record.ovr.avis ? record.ovr.avis : [];
		const claimant = this.someInstructeurEmail(record);
		const at = record.instructionAt || record.depotAt;
		const avis = [
			{
				id: globalId('Avis', record.number),
				question: 'Pouvez-vous donner votre avis sur la conformité du projet ?',
				questionLabel: 'Le projet est-il conforme ?',
				questionAnswer: r.chance(0.7),
				reponse: r.chance(0.8) ? 'Avis favorable sous réserve du respect des horaires.' : null,
				dateQuestion: at + DAY,
				dateReponse: at + 3 * DAY,
				claimant: {
					id: globalId('Instructeur', this.instructeurIdByEmail(claimant)),
					email: claimant,
				},
				expert: {
					id: globalId('Expert', record.number % 97),
					email: 'expert.urbanisme@exemple.gouv.fr',
				},
				attachments: r.chance(0.5)
					? [
							fileRef(
								`a${record.number}-0-${r.int(400, 6000)}`,
								'avis-expert.pdf',
								'application/pdf',
								0,
								at + 3 * DAY,
							),
						]
					: [],
			},
		];
		for (const a of avis)
			for (const f of a.attachments) f.byteSize = Number(f.key.split('-').pop());
		return record.ovr && record.ovr.avis ? avis.concat(record.ovr.avis) : avis;
	}

	someInstructeurEmail(record) {
		const groupe = this.groupes.get(record.groupe);
		const id = groupe.instructeurIds[record.number % groupe.instructeurIds.length];
		return this.instructeurs.get(id).email;
	}

	instructeurIdByEmail(email) {
		for (const i of this.instructeurs.values()) if (i.email === email) return i.id;
		return null;
	}

	// --- writes --------------------------------------------------------------------------------

	now() {
		return this.clock.now();
	}

	ovr(record) {
		if (!record.ovr) record.ovr = {};
		return record.ovr;
	}

	/** Any change: bumps version and dateDerniereModification (and the narrower dates), keeps order. */
	touch(record, { at, champs, annotations } = {}) {
		const when = at !== undefined ? at : this.now();
		this.reposition(record, 'modified', () => {
			record.modifiedAt = when;
		});
		if (champs) record.champsModifiedAt = when;
		if (annotations) record.annotationsModifiedAt = when;
		record.version += 1;
	}

	/** Move a record inside its démarche's sorted list while `change` updates its key. */
	reposition(record, order, change) {
		const list = this.listFor(record.demarche, order);
		const keyOf = order === 'modified' ? modifiedKey : depotKey;
		const index = lowerBound(list, keyOf, keyOf(record), record.number, false);
		if (list[index] === record) list.splice(index, 1);
		change();
		list.splice(lowerBound(list, keyOf, keyOf(record), record.number, false), 0, record);
	}

	insertRecord(record) {
		this.dossiers.set(record.number, record);
		let lists = this.lists.get(record.demarche);
		if (!lists) {
			lists = { depot: [], modified: [] };
			this.lists.set(record.demarche, lists);
		}
		lists.depot.splice(
			lowerBound(lists.depot, depotKey, record.depotAt, record.number, false),
			0,
			record,
		);
		lists.modified.splice(
			lowerBound(lists.modified, modifiedKey, record.modifiedAt, record.number, false),
			0,
			record,
		);
	}

	recordEvent(type, record, extra = {}) {
		this.eventSequence += 1;
		const event = {
			sequence: this.eventSequence,
			type,
			dossierNumber: record.number,
			demarcheNumber: record.demarche,
			at: new Date(extra.at !== undefined ? extra.at : this.now()).toISOString(),
			...extra,
		};
		if (extra.at !== undefined) event.at = new Date(extra.at).toISOString();
		this.events.push(event);
		// Outgoing webhooks (lib/webhooks.js) listen here.
		if (this.onEvent) this.onEvent(event);
		return event;
	}

	deposit(demarcheNumber, { values = {}, groupe, at, email } = {}) {
		const demarche = this.demarches.get(Number(demarcheNumber));
		if (!demarche) throw new Error(`Unknown démarche ${demarcheNumber}`);
		const when = at !== undefined ? at : this.now();
		const openGroupes = demarche.groupeNumbers.filter((g) => !this.groupes.get(g).closed);
		const number = this.nextDossierNumber++;
		const record = newRecord({
			number,
			demarche: demarche.number,
			groupe: groupe !== undefined ? Number(groupe) : openGroupes[number % openGroupes.length],
			revisionId: demarche.activeRevisionId,
			depotAt: when,
			usagerEmail: email || null,
		});
		record.traitements.push({
			event: 'depose',
			state: 'en_construction',
			at: when,
			motivation: null,
			email: null,
		});
		record.linkCandidates = this.listFor(demarche.number, 'depot')
			.slice(0, 5)
			.map((r) => r.number);
		if (Object.keys(values).length) this.ovr(record).champs = { ...values };
		// A dossier deposited now has no annotation until an instructeur writes one (seeded dossiers
		// get generated ones once in instruction).
		this.ovr(record).annotations = Object.fromEntries(
			this.revisions.get(record.revisionId).annotations.map((d) => [d.stableId, null]),
		);
		this.insertRecord(record);
		this.recordEvent('deposited', record, { state: record.state, at: when });
		if (demarche.declarative) this.declarativeTransition(record, demarche, when);
		return record;
	}

	/**
	 * A declarative démarche moves a deposited dossier on by itself (upstream: a cron job within
	 * minutes; here at once): en instruction, or accepté. Newer servers post one combined system
	 * message (PR #13734, unless `combinedDeclarativeEmail` is off), older ones two.
	 */
	declarativeTransition(record, demarche, when) {
		const combined = demarche.combinedDeclarativeEmail !== false && !this.olderServer();
		if (demarche.declarative === 'accepte')
			this.changeState(record.number, 'accepte', { at: when, automatic: true, combinedDeclarative: combined });
		else
			this.changeState(record.number, 'en_instruction', {
				at: when,
				automatic: true,
				combinedDeclarative: combined,
			});
	}

	/**
	 * `api`: written through the API's annotation mutations, which save the champ (its
	 * `touch: true` moves updated_at) but never call Champ#update_timestamps, the only writer of
	 * last_champ_private_updated_at: dateDerniereModificationAnnotations stays (FIDELITY 5.04).
	 * The instructeur's web form (control API `act/update` with annotations) moves it.
	 */
	setValues(number, values, { annotations = false, at, event = true, api = false } = {}) {
		const record = this.requireDossier(number);
		const when = at !== undefined ? at : this.now();
		const ovr = this.ovr(record);
		const valuesKey = annotations ? 'annotations' : 'champs';
		const datesKey = annotations ? 'annotationUpdatedAt' : 'champUpdatedAt';
		const served = this.content(record);
		const before = annotations ? served.annotationValues : served.champValues;
		if (annotations && !ovr.annotations) {
			// Materialise the seeded annotations first so the override starts from what was served
			// (none for a dossier en construction: every annotation is then explicitly blank).
			ovr.annotations = Object.fromEntries(
				this.revisionOf(record).annotations.map((d) => [
					d.stableId,
					served.annotationValues[d.stableId] ?? null,
				]),
			);
		}
		ovr[valuesKey] = { ...(ovr[valuesKey] || {}), ...values };
		ovr[datesKey] = { ...(ovr[datesKey] || {}) };
		// Champ.updatedAt is the last real edit (value_updated_at, PR #14013): the same value written
		// again leaves it alone.
		for (const stableId of Object.keys(values))
			if (JSON.stringify(before[stableId] ?? null) !== JSON.stringify(values[stableId] ?? null))
				ovr[datesKey][stableId] = when;
		this.touch(record, { at: when, champs: !annotations, annotations: annotations && !api });
		if (event)
			this.recordEvent(annotations ? 'annotationsUpdated' : 'updated', record, {
				at: when,
				stableIds: Object.keys(values).map(Number),
			});
		return record;
	}

	/**
	 * The company data of a dossier's SIRET champs completed or refreshed later (API Entreprise
	 * jobs): since PR #12620 the Etablissement touches its dossier (dateDerniereModification), and
	 * since PR #14013 a refresh that really changes the data stamps the champ (Champ.updatedAt) and
	 * dateDerniereModificationChamps; one that changes nothing moves nothing (touch on saved changes
	 * only). Here the refresh sets the company's `etatAdministratif` (`Actif` or `Ferme`).
	 * @returns {number[]} the stable ids of the SIRET champs whose data changed
	 */
	refreshEtablissements(number, { etatAdministratif = 'Ferme', at } = {}) {
		const record = this.requireDossier(number);
		const when = at !== undefined ? at : this.now();
		const served = this.content(record).champs;
		const changed = this.revisionOf(record)
			.champs.filter((desc) => desc.type === 'siret')
			.filter((desc) => {
				const champ = served.find((c) => c.champDescriptorId === globalId('Champ', desc.stableId));
				return (
					champ &&
					champ.etablissement &&
					champ.etablissement.entreprise &&
					champ.etablissement.entreprise.etatAdministratif !== etatAdministratif
				);
			})
			.map((desc) => desc.stableId);
		if (!changed.length) return [];
		const ovr = this.ovr(record);
		ovr.etablissements = { ...(ovr.etablissements || {}) };
		ovr.champUpdatedAt = { ...(ovr.champUpdatedAt || {}) };
		for (const stableId of changed) {
			ovr.etablissements[stableId] = { etatAdministratif };
			ovr.champUpdatedAt[stableId] = when;
		}
		this.touch(record, { at: when, champs: true });
		this.recordEvent('updated', record, { at: when, stableIds: changed, source: 'etablissement' });
		return changed;
	}

	changeState(number, state, { at, motivation, instructeurEmail, event, automatic, combinedDeclarative } = {}) {
		const record = this.requireDossier(number);
		const when = at !== undefined ? at : this.now();
		const previousState = record.state;
		record.state = state;
		if (state === 'en_construction') {
			record.instructionAt = null;
			record.traitementAt = null;
			record.motivation = null;
		} else if (state === 'en_instruction') {
			record.instructionAt = when;
			record.traitementAt = null;
			record.motivation = null;
		} else {
			record.traitementAt = when;
			record.motivation = motivation || null;
		}
		const defaultEvent = {
			en_construction: 'repasse_en_construction',
			en_instruction:
				previousState === 'en_construction' ? 'passe_en_instruction' : 'repasse_en_instruction',
			accepte: 'accepte',
			refuse: 'refuse',
			sans_suite: 'classe_sans_suite',
		}[state];
		const traitement = {
			event: event || defaultEvent,
			state,
			at: when,
			motivation: motivation || null,
			email: instructeurEmail || null,
		};
		// An automatic transition (declarative démarche); on newer servers its system message is
		// the only one, made from the deposit template (systemMessages.js, PR #13734).
		if (automatic) traitement.automatic = true;
		if (combinedDeclarative) traitement.combinedDeclarative = true;
		record.traitements.push(traitement);
		this.touch(record, { at: when });
		this.recordEvent('stateChanged', record, { previousState, state, at: when });
		return previousState;
	}

	setArchived(number, archived, { at } = {}) {
		const record = this.requireDossier(number);
		record.archived = Boolean(archived);
		this.touch(record, { at });
		this.recordEvent(archived ? 'archived' : 'unarchived', record, { at: record.modifiedAt });
		return record;
	}

	addMessage(number, { body, email, attachments = [], correction = null, at }) {
		const record = this.requireDossier(number);
		const when = at !== undefined ? at : this.now();
		const message = {
			id: globalId('Commentaire', 900000000 + this.nextMessageId++),
			body,
			email,
			createdAt: when,
			attachments,
			correction: correction ? { reason: correction, dateResolution: null } : null,
			discardedAt: null,
		};
		const ovr = this.ovr(record);
		ovr.messages = [...(ovr.messages || []), message];
		this.touch(record, { at: when });
		this.recordEvent('messageSent', record, { at: when, messageId: message.id });
		return message;
	}

	discardMessage(number, messageId, { at } = {}) {
		const record = this.requireDossier(number);
		const when = at !== undefined ? at : this.now();
		const ovr = this.ovr(record);
		ovr.discardedMessages = { ...(ovr.discardedMessages || {}), [messageId]: when };
		this.touch(record, { at: when });
		this.recordEvent('messageDeleted', record, { at: when, messageId });
	}

	/**
	 * Hides a dossier as `Dossier#hide_and_keep_track!` does (@e1338d7): the usager may hide a
	 * brouillon, en_construction or terminé dossier (`user_request`), the administration a terminé
	 * one (`instructeur_request`; any state for `procedure_removed`), expiry anything but en_instruction
	 * (`expired`). An en_instruction dossier can never be hidden. Hiding is an update: it moves
	 * dateDerniereModification. Event: `pendingDeleted` when the dossier enters
	 * pendingDeletedDossiers, `hidden` otherwise (expiry, or a terminé dossier only the usager hid).
	 * @param {{by: 'usager'|'administration'|'expiry', reason?: string, at?: number}} options
	 */
	hideDossier(number, { by, reason, at } = {}) {
		const record = this.requireDossier(number);
		const when = at !== undefined ? at : this.now();
		const refuse = (why) =>
			Object.assign(
				new Error(`Dossier ${record.number} (${record.state}) cannot be hidden by ${by}: ${why}`),
				{
					status: 409,
				},
			);
		const termine = TERMINE.includes(record.state);
		if (by === 'usager') {
			if (!(record.state === 'en_construction' || termine))
				throw refuse('the usager may hide a dossier en construction or terminé only');
			record.hiddenByUserAt = when;
			record.hiddenByReason = reason || 'user_request';
		} else if (by === 'administration') {
			const why = reason || 'instructeur_request';
			if (!(termine || why === 'procedure_removed'))
				throw refuse(
					'the administration may hide a terminé dossier only (any state when the démarche is removed)',
				);
			record.hiddenByAdministrationAt = when;
			record.hiddenByReason = why;
		} else if (by === 'expiry') {
			if (record.state === 'en_instruction')
				throw refuse('an en_instruction dossier never expires');
			record.hiddenByExpiredAt = when;
			record.hiddenByReason = 'expired';
		} else
			throw Object.assign(new Error(`by must be usager, administration or expiry, not ${by}`), {
				status: 400,
			});
		this.touch(record, { at: when });
		this.recordEvent(isPendingDeletion(record) ? 'pendingDeleted' : 'hidden', record, {
			at: when,
			state: record.state,
			reason: record.hiddenByReason,
			by,
		});
		return record;
	}

	/**
	 * `Dossier#purge_discarded` (@e1338d7): a DeletedDossier from `DeletedDossier.create_from_dossier`
	 * (reason = the last hide's, `deleted_at` back-dated to the usager's hide for an en_construction
	 * dossier), then the dossier is destroyed. The cron (`purgeDiscarded`) decides when.
	 */
	purgeDiscardedDossier(number, { at, event = true } = {}) {
		const record = this.requireDossier(number);
		if (!record.hiddenByUserAt && !record.hiddenByAdministrationAt && !record.hiddenByExpiredAt)
			throw Object.assign(
				new Error(
					`Dossier ${record.number} is not hidden: the platform purges hidden dossiers only`,
				),
				{
					status: 409,
				},
			);
		const when = at !== undefined ? at : this.now();
		const deletedAt =
			record.hiddenByUserAt && record.state === 'en_construction' ? record.hiddenByUserAt : when;
		const entry = this.purge(record, record.hiddenByReason || 'user_request', deletedAt);
		if (event)
			this.recordEvent('deleted', record, {
				at: when,
				deletedAt,
				state: record.state,
				reason: entry.reason,
			});
		return entry;
	}

	/**
	 * The daily cron (`Cron::DiscardedDossiersDeletionJob` → `Dossier.purge_discarded`): purges the
	 * en_construction dossiers hidden by the usager or by expiry, and the terminé ones hidden by both
	 * the usager and the administration, or by expiry, two weeks ago or more.
	 */
	purgeDiscarded({ at } = {}) {
		const when = at !== undefined ? at : this.now();
		const old = (t) => t !== null && t !== undefined && t < when - PURGE_AFTER_MS;
		const due = [...this.dossiers.values()].filter((r) =>
			r.state === 'en_construction'
				? old(r.hiddenByUserAt) || old(r.hiddenByExpiredAt)
				: TERMINE.includes(r.state) &&
					((old(r.hiddenByUserAt) && old(r.hiddenByAdministrationAt)) || old(r.hiddenByExpiredAt)),
		);
		return due.map((r) => this.purgeDiscardedDossier(r.number, { at: when }));
	}

	/**
	 * Control-API shortcut (`act/delete`, older tests): puts the dossier in the list asked for at once,
	 * whatever the platform's rules. Pending: hidden by the usager when en_construction (reason
	 * user_request), else by the administration, whatever its state (an en_instruction dossier too,
	 * which the platform never hides). Not pending: purged now with `deleted_at` now.
	 */
	deleteDossier(number, { pending = false, reason, at } = {}) {
		const record = this.requireDossier(number);
		const when = at !== undefined ? at : this.now();
		if (pending) {
			if (record.state === 'en_construction' && (!reason || reason === 'user_request')) {
				record.hiddenByUserAt = when;
				record.hiddenByReason = 'user_request';
			} else {
				record.hiddenByAdministrationAt = when;
				record.hiddenByReason =
					reason || (record.state === 'en_construction' ? 'user_request' : 'instructeur_request');
			}
			this.touch(record, { at: when });
			this.recordEvent('pendingDeleted', record, {
				at: when,
				state: record.state,
				reason: record.hiddenByReason,
			});
			return record;
		}
		this.purge(record, reason || 'user_request', when);
		this.recordEvent('deleted', record, {
			at: when,
			state: record.state,
			reason: reason || 'user_request',
		});
		return record;
	}

	purge(record, reason, when) {
		for (const order of ['depot', 'modified']) {
			const list = this.listFor(record.demarche, order);
			const keyOf = order === 'modified' ? modifiedKey : depotKey;
			const index = lowerBound(list, keyOf, keyOf(record), record.number, false);
			if (list[index] === record) list.splice(index, 1);
		}
		this.dossiers.delete(record.number);
		this.contentCache.delete(record.number);
		let deleted = this.deleted.get(record.demarche);
		if (!deleted) {
			deleted = [];
			this.deleted.set(record.demarche, deleted);
		}
		const entry = {
			id: this.nextDeletedId++,
			number: record.number,
			demarche: record.demarche,
			groupe: record.groupe,
			state: record.state,
			reason,
			deletedAt: when,
		};
		deleted.splice(
			lowerBound(deleted, (d) => d.deletedAt, when, entry.number, true),
			0,
			entry,
		);
		return entry;
	}

	/**
	 * `Dossier#restore`: the administration clears its hide, the usager theirs (default: whichever
	 * put the dossier in pendingDeletedDossiers); the reason follows the side still hiding. An update:
	 * dateDerniereModification moves.
	 * @param {{by?: 'usager'|'administration'}} options
	 */
	restoreDossier(number, { by } = {}) {
		const record = this.requireDossier(number);
		const side =
			by ||
			(record.hiddenByAdministrationAt
				? 'administration'
				: record.hiddenByUserAt
					? 'usager'
					: null);
		if (side === 'administration') record.hiddenByAdministrationAt = null;
		else if (side === 'usager') {
			record.hiddenByUserAt = null;
			if (record.hiddenByReason === 'not_modified_for_a_long_time') record.hiddenByExpiredAt = null;
		}
		if (!record.hiddenByUserAt && !record.hiddenByAdministrationAt && !record.hiddenByExpiredAt)
			record.hiddenByReason = null;
		else if (record.hiddenByUserAt) record.hiddenByReason = 'user_request';
		else if (record.hiddenByAdministrationAt) record.hiddenByReason = 'instructeur_request';
		this.touch(record);
		this.recordEvent('restored', record, { at: record.modifiedAt, by: side });
		return record;
	}

	requireDossier(number) {
		const record = this.getDossier(number);
		if (!record) throw Object.assign(new Error(`Dossier ${number} not found`), { status: 404 });
		return record;
	}

	/** Counts for the control API. */
	counts() {
		const byDemarche = {};
		for (const [number, lists] of this.lists) {
			const byState = {};
			let visible = 0;
			let archived = 0;
			for (const r of lists.depot) {
				if (!isVisibleByAdministration(r)) continue;
				visible += 1;
				byState[r.state] = (byState[r.state] || 0) + 1;
				if (r.archived) archived += 1;
			}
			byDemarche[number] = {
				visible,
				byState,
				archived,
				pendingDeleted: lists.depot.filter(isPendingDeletion).length,
				hiddenByExpiry: lists.depot.filter((r) => r.hiddenByExpiredAt).length,
				deleted: this.deletedFor(number).length,
			};
		}
		return { dossiers: this.dossiers.size, events: this.events.length, byDemarche };
	}
}

const TERMINE = ['accepte', 'refuse', 'sans_suite'];
/** REMAINING_WEEKS_BEFORE_DELETION: a hidden dossier is purged two weeks after its hide. */
const PURGE_AFTER_MS = 14 * 24 * 3600 * 1000;

/**
 * `Dossier.visible_by_administration` (@e1338d7): not hidden by the administration nor by expiry,
 * and not hidden by the usager while en_construction (a terminé dossier the usager hid stays listed).
 */
function isVisibleByAdministration(r) {
	return (
		!r.hiddenByAdministrationAt &&
		!r.hiddenByExpiredAt &&
		!(r.hiddenByUserAt && r.state === 'en_construction')
	);
}

/** `Dossier.hidden_for_administration`: hidden by the administration, or en_construction and hidden by the usager. */
function isPendingDeletion(r) {
	return Boolean(r.hiddenByAdministrationAt || (r.state === 'en_construction' && r.hiddenByUserAt));
}

/**
 * PendingDeletedDossiersConnection's order key: the usager's hide when en_construction, else the
 * administration's. An en_construction dossier only the administration hid (procedure_removed) has
 * no key upstream (NULL: sorted last, and its cursor raises); here it takes the administration's hide.
 */
function pendingKey(r) {
	return r.state === 'en_construction' && r.hiddenByUserAt !== null
		? r.hiddenByUserAt
		: r.hiddenByAdministrationAt;
}

/** A fresh dossier header with every field the resolvers read. */
function newRecord({ number, demarche, groupe, revisionId, depotAt, usagerEmail = null }) {
	return {
		number,
		demarche,
		groupe,
		revisionId,
		state: 'en_construction',
		archived: false,
		prefilled: false,
		depotAt,
		constructionAt: depotAt,
		instructionAt: null,
		traitementAt: null,
		modifiedAt: depotAt,
		champsModifiedAt: depotAt,
		annotationsModifiedAt: depotAt,
		motivation: null,
		usagerEmail,
		labelIds: [],
		followerIds: [],
		traitements: [],
		seededMessages: 0,
		seededAvis: false,
		// The three hide columns of the platform (hide_and_keep_track!) and the last hide's reason.
		hiddenByUserAt: null,
		hiddenByAdministrationAt: null,
		hiddenByExpiredAt: null,
		hiddenByReason: null,
		/** Not `visible_by_administration`: out of `dossiers` and `dossier(number)` (and of mutations). */
		get hidden() {
			return !isVisibleByAdministration(this);
		},
		ovr: null,
		version: 0,
		linkCandidates: null,
	};
}

module.exports = {
	Store,
	newRecord,
	lowerBound,
	isVisibleByAdministration,
	isPendingDeletion,
	pendingKey,
	PURGE_AFTER_MS,
};
