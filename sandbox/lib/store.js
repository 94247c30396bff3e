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
 *   getDossier(number) → DossierRecord | undefined (includes hidden = pending-deleted ones)
 *   content(record) → {champs, annotations, messages, avis, demandeur, usagerEmail, files...}
 *     (cached by record.version; never mutate what it returns)
 *   listFor(demarcheNumber, 'depot'|'modified') → DossierRecord[] sorted by (key, number)
 *   deletedFor(demarcheNumber) → DeletedRecord[] sorted by (deletedAt, id)
 *   pendingDeletedFor(demarcheNumber) → DossierRecord[] hidden, sorted by (hidden.at, number)
 *   Writes (each bumps record.version and dateDerniereModification, keeps lists sorted, and
 *   appends to the event log):
 *     deposit(demarcheNumber, {values?, groupe?, at?, email?}) → record
 *     setValues(number, {[stableId]: raw}, {annotations?: boolean, at?, event?: boolean})
 *     changeState(number, state, {at?, motivation?, instructeurEmail?, event?}) → previous state
 *     setArchived(number, archived, {at?})
 *     addMessage(number, {body, email, attachments?: FileRef[], correction?, at?}) → message
 *     discardMessage(number, messageId, {at?})
 *     touch(record, {at?, champs?, annotations?})  (low level: any other change)
 *     deleteDossier(number, {pending?, reason?, at?}), restoreDossier(number)
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

	pendingDeletedFor(demarcheNumber) {
		return this.listFor(demarcheNumber, 'depot')
			.filter((r) => r.hidden)
			.sort((a, b) => a.hidden.at - b.hidden.at || a.number - b.number);
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
		const build = (descs, values, updatedAtByStableId, defaultUpdatedAt) => {
			const defaultText = formatDateTime(defaultUpdatedAt);
			const out = [];
			for (const desc of descs) {
				if (desc.condition && values[desc.condition.stableId] !== desc.condition.equals) continue;
				const at = updatedAtByStableId && updatedAtByStableId[desc.stableId];
				// A prefilled dossier (prefill REST) marks only the champs the prefill call set.
				const prefilled = record.prefilledStableIds
					? record.prefilledStableIds.includes(desc.stableId)
					: record.prefilled;
				out.push(
					buildChamp(
						desc,
						values[desc.stableId],
						at
							? { updatedAt: at, prefilled }
							: {
									updatedAt: defaultUpdatedAt,
									updatedAtText: defaultText,
									prefilled,
								},
					),
				);
			}
			return out;
		};
		const r = rng(this.seed, 'content', record.number);
		const usager = this.usagerOf(record, demarche, r);
		const demandeur = ovr.demandeur || this.demandeurOf(record, demarche, usager, r);
		return {
			champs: build(revision.champs, champValues, ovr.champUpdatedAt, record.depotAt),
			annotations: build(
				revision.annotations,
				annotationValues,
				ovr.annotationUpdatedAt,
				record.annotationsModifiedAt,
			),
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

	setValues(number, values, { annotations = false, at, event = true } = {}) {
		const record = this.requireDossier(number);
		const when = at !== undefined ? at : this.now();
		const ovr = this.ovr(record);
		const valuesKey = annotations ? 'annotations' : 'champs';
		const datesKey = annotations ? 'annotationUpdatedAt' : 'champUpdatedAt';
		if (annotations && !ovr.annotations) {
			// Materialise the seeded annotations first so the override starts from what was served
			// (none for a dossier en construction: every annotation is then explicitly blank).
			const served = this.content(record).annotationValues;
			ovr.annotations = Object.fromEntries(
				this.revisionOf(record).annotations.map((d) => [d.stableId, served[d.stableId] ?? null]),
			);
		}
		ovr[valuesKey] = { ...(ovr[valuesKey] || {}), ...values };
		ovr[datesKey] = { ...(ovr[datesKey] || {}) };
		for (const stableId of Object.keys(values)) ovr[datesKey][stableId] = when;
		this.touch(record, { at: when, champs: !annotations, annotations });
		if (event)
			this.recordEvent(annotations ? 'annotationsUpdated' : 'updated', record, {
				at: when,
				stableIds: Object.keys(values).map(Number),
			});
		return record;
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

	/** Purge (deletedDossiers) or hide (pendingDeletedDossiers, still restorable). */
	deleteDossier(number, { pending = false, reason, at } = {}) {
		const record = this.requireDossier(number);
		const when = at !== undefined ? at : this.now();
		if (pending) {
			record.hidden = {
				at: when,
				reason:
					reason || (record.state === 'en_construction' ? 'user_request' : 'instructeur_request'),
			};
			record.version += 1;
			this.recordEvent('pendingDeleted', record, {
				at: when,
				state: record.state,
				reason: record.hidden.reason,
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

	restoreDossier(number) {
		const record = this.requireDossier(number);
		record.hidden = null;
		this.touch(record);
		this.recordEvent('restored', record, { at: record.modifiedAt });
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
			let hidden = 0;
			let archived = 0;
			for (const r of lists.depot) {
				if (r.hidden) {
					hidden += 1;
					continue;
				}
				byState[r.state] = (byState[r.state] || 0) + 1;
				if (r.archived) archived += 1;
			}
			byDemarche[number] = {
				visible: lists.depot.length - hidden,
				byState,
				archived,
				pendingDeleted: hidden,
				deleted: this.deletedFor(number).length,
			};
		}
		return { dossiers: this.dossiers.size, events: this.events.length, byDemarche };
	}
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
		hidden: null,
		ovr: null,
		version: 0,
		linkCandidates: null,
	};
}

module.exports = { Store, newRecord, lowerBound };
