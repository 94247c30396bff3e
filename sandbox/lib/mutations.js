'use strict';
/**
 * Mutation resolvers: `{ [mutationName]: (args, ctx, info) => payload }`.
 * ctx: {store, files, uploads, token: {name, write, demarches}, sandbox}; the sandbox clock is store.clock.
 * A read-only token never reaches these (schema.js answers the platform's payload error first).
 *
 * Error layers, as on the platform:
 * - IDs that do not resolve, or objects outside the token's démarches: a GraphQL error (the
 *   platform's `loads:` arguments), payload null.
 * - Business rules (wrong state, instructeur without access, invalid upload...): the payload's
 *   `errors: [{message}]` in French, its object fields null. Messages are the platform's own
 *   where known (app/graphql/mutations/*.rb); the few the sandbox had to word are marked "sandbox wording".
 */
const { GraphQLError } = require('graphql');
const { decodeGlobalId, globalId, parseDateTime } = require('./util');
const { webhooksOf, webhookView } = require('./webhooks');

/** A business error: ends up in the payload's `errors`. */
class BusinessError extends Error {}
const fail = (message) => {
	throw new BusinessError(message);
};

const gqlError = (message, code) => new GraphQLError(message, { extensions: { code } });
const hidden = (typeName) =>
	gqlError(`An object of type ${typeName} was hidden due to permissions`, 'unauthorized');
const notFound = (typeName) => gqlError(`${typeName} not found`, 'not_found');

const FINAL_STATES = ['accepte', 'refuse', 'sans_suite'];
/** dossier_display_state(dossier, lower: true) */
const STATE_LABEL = {
	brouillon: 'brouillon',
	en_construction: 'en construction',
	en_instruction: 'en instruction',
	accepte: 'accepté',
	refuse: 'refusé',
	sans_suite: 'classé sans suite',
};

/**
 * Wraps a resolver of `(input, ctx) => payloadFields`: adds clientMutationId and `errors: null`,
 * turns BusinessError into `{errors: [{message}]}` (object fields then resolve to null).
 * `onError` gives extra fields of a failed payload (dossierModifierAnnotations answers `annotations: []`).
 */
function mutation(resolve, onError = () => ({})) {
	return ({ input }, ctx) => {
		const clientMutationId = input.clientMutationId === undefined ? null : input.clientMutationId;
		try {
			return { clientMutationId, errors: null, ...resolve(input, ctx) };
		} catch (e) {
			if (e instanceof BusinessError)
				return { clientMutationId, errors: [{ message: e.message }], ...onError() };
			throw e;
		}
	};
}

// --- loaders (the platform's `loads:` arguments) ------------------------------------------------

function inScope(ctx, demarcheNumber) {
	const scope = ctx.token.demarches;
	return scope === 'all' || scope.includes(demarcheNumber);
}

function decodedNumber(id, type) {
	const decoded = decodeGlobalId(id);
	if (!decoded || decoded.type !== type || !/^\d+$/.test(decoded.id)) return null;
	return Number(decoded.id);
}

/** Objects an ID can name, and whether one exists: for IDs of the wrong type. */
const OBJECTS = {
	Dossier: (store, n) => Boolean(store.getDossier(n)),
	Instructeur: (store, n) => store.instructeurs.has(n),
	GroupeInstructeur: (store, n) => store.groupes.has(n),
	Label: (store, n) => store.labels.has(n),
	Procedure: (store, n) => store.demarches.has(n),
};

/**
 * The number of a `loads:` argument's ID, or null when it names nothing (→ "<Payload> not found").
 * An ID of an existing object of another type loads, then fails graphql-ruby's type check:
 * ``No object found for `instructeurId: "…"` ``, without a code (gql-ruby 2.5.4
 * authorize_application_object).
 */
function loadedNumber(ctx, id, type, argument) {
	const decoded = decodeGlobalId(id);
	if (!decoded || !/^\d+$/.test(decoded.id)) return null;
	if (decoded.type === type) return Number(decoded.id);
	const exists = OBJECTS[decoded.type];
	if (exists && exists(ctx.store, Number(decoded.id)))
		throw new GraphQLError(`No object found for \`${argument}: ${JSON.stringify(String(id))}\``);
	return null;
}

function loadDossier(ctx, id, argument = 'dossierId') {
	const number = loadedNumber(ctx, id, 'Dossier', argument);
	const record = number === null ? null : ctx.store.getDossier(number);
	if (!record || record.hidden) throw notFound('Dossier');
	if (!inScope(ctx, record.demarche)) throw hidden('Dossier');
	return record;
}

function loadInstructeur(ctx, id) {
	const instructeurId = loadedNumber(ctx, id, 'Instructeur', 'instructeurId');
	const instructeur = instructeurId === null ? null : ctx.store.instructeurs.get(instructeurId);
	if (!instructeur) throw notFound('Instructeur');
	return instructeur;
}

function loadGroupe(ctx, id) {
	const number = loadedNumber(ctx, id, 'GroupeInstructeur', 'groupeInstructeurId');
	const groupe = number === null ? null : ctx.store.groupes.get(number);
	if (!groupe) throw notFound('GroupeInstructeur');
	if (!inScope(ctx, groupe.demarche)) throw hidden('GroupeInstructeur');
	return groupe;
}

function loadLabel(ctx, id) {
	const labelId = loadedNumber(ctx, id, 'Label', 'labelId');
	const label = labelId === null ? null : ctx.store.labels.get(labelId);
	if (!label) throw notFound('Label');
	if (!inScope(ctx, label.demarche)) throw hidden('Label');
	return label;
}

/** FindDemarcheInput: {number} or {id}. */
function loadDemarche(ctx, find) {
	const number =
		find.id !== undefined && find.id !== null ? decodedNumber(find.id, 'Procedure') : find.number;
	const demarche = number === null ? null : ctx.store.demarches.get(number);
	if (!demarche) throw notFound('Demarche');
	if (!inScope(ctx, demarche.number)) throw hidden('Demarche');
	return demarche;
}

/** The platform's dossier_authorized_for?: the instructeur belongs to the dossier's groupe. */
function authorizeInstructeur(ctx, record, instructeur) {
	const groupe = ctx.store.groupes.get(record.groupe);
	if (!groupe.instructeurIds.includes(instructeur.id))
		fail('L’instructeur n’a pas les droits d’accès à ce dossier');
}

/** A signedBlobId from createDirectUpload → a FileRef whose bytes are the uploaded ones. */
function attachedFile(ctx, signedBlobId) {
	const resolved = ctx.uploads.resolveSignedBlobId(signedBlobId);
	if (resolved.ok) return resolved.file;
	if (resolved.reason === 'not_uploaded')
		fail('Le fichier n’a pas été correctement téléversé sur le serveur de stockage');
	if (resolved.reason === 'checksum') fail('Le hash du fichier téléversé est invalide');
	// Expired or tampered signed IDs: ActiveStorage's find_signed finds nothing.
	return fail('L’identifiant du fichier téléversé est invalide');
}

/** Usager e-mails the platform would send (disableNotification: false), for the control API. */
function notify(ctx, record, kind, disabled) {
	const store = ctx.store;
	if (!store.notifications) store.notifications = [];
	if (store.notifications.length >= 10000) store.notifications.shift(); // long benchmarks
	store.notifications.push({
		dossierNumber: record.number,
		kind,
		disableNotification: Boolean(disabled),
		sent: !disabled,
		at: new Date(store.now()).toISOString(),
	});
}

// --- state machine -----------------------------------------------------------------------------

const STATE_CHANGES = {
	dossierPasserEnInstruction: { from: ['en_construction'], to: 'en_instruction' },
	dossierAccepter: { from: ['en_instruction'], to: 'accepte', decision: true },
	dossierRefuser: { from: ['en_instruction'], to: 'refuse', decision: true },
	dossierClasserSansSuite: { from: ['en_instruction'], to: 'sans_suite', decision: true },
	dossierRepasserEnInstruction: { from: FINAL_STATES, to: 'en_instruction' },
	dossierRepasserEnConstruction: { from: ['en_instruction'], to: 'en_construction' },
};

function stateChange({ from, to, decision }) {
	return mutation((input, ctx) => {
		const record = loadDossier(ctx, input.dossierId);
		const instructeur = loadInstructeur(ctx, input.instructeurId);
		// As graphql-ruby: ready? (the upload) before authorized? (state, then instructeur).
		const justificatif =
			decision && input.justificatif ? attachedFile(ctx, input.justificatif) : null;
		if (!from.includes(record.state)) fail(`Le dossier est déjà ${STATE_LABEL[record.state]}`);
		authorizeInstructeur(ctx, record, instructeur);
		const store = ctx.store;
		// Repasser en instruction takes a dossier out of the archive, as the platform does.
		if (to === 'en_instruction' && record.archived) record.archived = false;
		if (to === 'en_construction' || to === 'en_instruction') record.justificatif = null;
		if (justificatif) record.justificatif = justificatif;
		// The platform makes the instructeur who takes a dossier into instruction follow it.
		if (
			record.state === 'en_construction' &&
			to === 'en_instruction' &&
			!record.followerIds.includes(instructeur.id)
		)
			record.followerIds = [...record.followerIds, instructeur.id];
		store.changeState(record.number, to, {
			motivation: decision ? input.motivation || null : null,
			instructeurEmail: instructeur.email,
		});
		const traitement = record.traitements[record.traitements.length - 1];
		traitement.disableNotification = Boolean(input.disableNotification);
		notify(ctx, record, `state:${to}`, input.disableNotification);
		return { dossier: record };
	});
}

// --- archive, groupe, follow, labels -----------------------------------------------------------

function archiveChange(archived) {
	return mutation((input, ctx) => {
		const record = loadDossier(ctx, input.dossierId);
		const instructeur = loadInstructeur(ctx, input.instructeurId);
		if (archived && !FINAL_STATES.includes(record.state))
			fail('Un dossier ne peut être déplacé dans « à archiver » qu’une fois le traitement terminé');
		if (!archived && !record.archived) fail('Un dossier non archivé ne peut pas être désarchivé');
		authorizeInstructeur(ctx, record, instructeur);
		ctx.store.setArchived(record.number, archived);
		return { dossier: record };
	});
}

/** A header change that is not a state change: touch, then log an event. */
function headerChange(ctx, record, type, extra = {}) {
	ctx.store.touch(record);
	ctx.store.recordEvent(type, record, { at: record.modifiedAt, ...extra });
}

function labelChange(add) {
	return mutation((input, ctx) => {
		const record = loadDossier(ctx, input.dossierId);
		const label = loadLabel(ctx, input.labelId);
		if (label.demarche !== record.demarche)
			fail('Ce label n’appartient pas à la même démarche que le dossier');
		const has = record.labelIds.includes(label.id);
		if (add && has) fail('Ce label est déjà associé au dossier');
		if (!add && !has) fail('Ce label n’est pas associé au dossier');
		record.labelIds = add
			? [...record.labelIds, label.id]
			: record.labelIds.filter((id) => id !== label.id);
		headerChange(ctx, record, add ? 'labelAdded' : 'labelRemoved', { labelId: label.id });
		return { dossier: record, label };
	});
}

// --- messages ----------------------------------------------------------------------------------

const CORRECTABLE_STATES = ['en_construction', 'en_instruction'];

/** Seeded messages are `Commentaire-<number*10+i>`; messages sent through the sandbox live in `ovr.messages`. */
function findMessage(store, messageId) {
	const n = decodedNumber(messageId, 'Commentaire');
	if (n === null) return null;
	const candidates = [];
	if (n < 900000000) candidates.push(store.getDossier(Math.floor(n / 10)));
	else
		for (const record of store.dossiers.values())
			if (record.ovr && record.ovr.messages) candidates.push(record);
	for (const record of candidates) {
		if (!record || record.hidden) continue;
		const message = store.content(record).messages.find((m) => m.id === messageId);
		if (message) return { record, message };
	}
	return null;
}

// --- annotations -------------------------------------------------------------------------------

/** AnnotationValueInput key → the annotation types it may write. */
const VALUE_KINDS = {
	text: ['text'],
	textarea: ['textarea'],
	email: ['email'],
	checkbox: ['checkbox'],
	yesNo: ['yes_no'],
	date: ['date'],
	datetime: ['datetime'],
	integerNumber: ['integer_number'],
	decimalNumber: ['decimal_number'],
	dropDownList: ['drop_down_list'],
	multipleDropDownList: ['multiple_drop_down_list'],
	dossierLink: ['dossier_link'],
	repetition: ['repetition'],
};

/** Legacy per-type mutations: their input's value key and the annotation types they accept. */
const LEGACY_ANNOTATION_MUTATIONS = {
	dossierModifierAnnotationText: { key: 'text', types: ['text', 'textarea', 'email'] },
	dossierModifierAnnotationCheckbox: { key: 'checkbox', types: ['checkbox', 'yes_no'] },
	dossierModifierAnnotationDate: { key: 'date', types: ['date'] },
	dossierModifierAnnotationDatetime: { key: 'datetime', types: ['datetime'] },
	dossierModifierAnnotationIntegerNumber: { key: 'integerNumber', types: ['integer_number'] },
	dossierModifierAnnotationDecimalNumber: { key: 'decimalNumber', types: ['decimal_number'] },
	dossierModifierAnnotationDropDownList: { key: 'dropDownList', types: ['drop_down_list'] },
	dossierModifierAnnotationAjouterLigne: { key: 'repetition', types: ['repetition'] },
};

const wrongType = (id) => fail(`L‘annotation "${id}" n’est pas de type attendu`);
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/**
 * Locate an annotation by its champ ID: `Champ-<stableId>` (top level) or `Champ-<stableId>|<rowId>`
 * (inside a repetition row). @returns {{desc, parent?, rowId?}}
 */
function findAnnotation(store, record, id) {
	const decoded = decodeGlobalId(id);
	const revision = store.revisionOf(record);
	if (decoded && decoded.type === 'Champ') {
		const [stable, rowId] = decoded.id.split('|');
		const stableId = Number(stable);
		if (rowId === undefined) {
			const desc = revision.annotations.find((d) => d.stableId === stableId);
			if (desc) return { desc };
		} else {
			for (const parent of revision.annotations) {
				const desc =
					parent.type === 'repetition' && parent.children.find((c) => c.stableId === stableId);
				if (desc) return { desc, parent, rowId };
			}
		}
	}
	return fail(`L‘annotation "${id}" n’existe pas`); // sandbox wording
}

/** The raw value (generate.js formats) for one annotation write; fails on a wrong type or option. */
function rawAnnotationValue(ctx, id, desc, key, value, current) {
	switch (desc.type) {
		case 'text':
		case 'textarea':
			return String(value);
		case 'email':
			if (!EMAIL.test(String(value))) fail(`${value} n’est pas une adresse électronique valide`);
			return String(value);
		case 'checkbox':
		case 'yes_no':
			return Boolean(value);
		case 'date':
			return value;
		case 'datetime':
			return parseDateTime(value);
		case 'integer_number':
			return String(value);
		case 'decimal_number':
			return Number(value);
		case 'drop_down_list':
			if (!desc.options.includes(value))
				fail(`La valeur « ${value} » n’est pas une option de l‘annotation "${id}"`); // sandbox wording
			return value;
		case 'multiple_drop_down_list': {
			const unknown = value.filter((v) => !desc.options.includes(v));
			if (unknown.length)
				fail(`La valeur « ${unknown[0]} » n’est pas une option de l‘annotation "${id}"`); // sandbox wording
			return [...new Set(value)];
		}
		case 'dossier_link': {
			if (!/^\d+$/.test(String(value).trim())) wrongType(id);
			return Number(value);
		}
		case 'repetition': {
			// `repetition: n` adds n empty rows (the legacy AjouterLigne adds one).
			const rows = Array.isArray(current) ? current.map((row) => ({ ...row })) : [];
			const count = key === 'repetition' ? Number(value) : 1;
			if (!(count >= 0)) wrongType(id);
			for (let i = 0; i < count; i++) {
				ctx.store.nextRowId = (ctx.store.nextRowId || 0) + 1;
				rows.push({ rowId: `9${String(ctx.store.nextRowId).padStart(6, '0')}`, values: {} });
			}
			return rows;
		}
		default:
			return wrongType(id);
	}
}

/**
 * Validate every write first (nothing is written when one fails), then apply them in one save.
 * @param {Array<{id, key, value, types?}>} writes
 * @returns {object[]} the written champs as served
 */
function writeAnnotations(ctx, record, writes) {
	const store = ctx.store;
	const currentValues = { ...store.content(record).annotationValues };
	const changes = {};
	const touched = [];
	for (const { id, key, value, types } of writes) {
		const target = findAnnotation(store, record, id);
		const allowed = types || VALUE_KINDS[key] || [];
		if (!allowed.includes(target.desc.type)) wrongType(id);
		if (!target.parent) {
			changes[target.desc.stableId] = rawAnnotationValue(
				ctx,
				id,
				target.desc,
				key,
				value,
				changes[target.desc.stableId] || currentValues[target.desc.stableId],
			);
			touched.push({ stableId: target.desc.stableId });
			continue;
		}
		const parentId = target.parent.stableId;
		const rows = (changes[parentId] || currentValues[parentId] || []).map((row) => ({
			...row,
			values: { ...row.values },
		}));
		const row = rows.find((r) => r.rowId === target.rowId);
		if (!row) fail(`L‘annotation "${id}" n’existe pas`); // sandbox wording
		row.values[target.desc.stableId] = rawAnnotationValue(
			ctx,
			id,
			target.desc,
			key,
			value,
			row.values[target.desc.stableId],
		);
		changes[parentId] = rows;
		touched.push({ stableId: parentId, childId: id });
	}
	store.setValues(record.number, changes, { annotations: true });
	const served = store.content(record).annotations;
	return touched.map(({ stableId, childId }) => {
		const champ = served.find((c) => c.champDescriptorId === globalId('Champ', stableId));
		if (!childId) return champ;
		for (const row of champ.rows) {
			const child = row.champs.find((c) => c.id === childId);
			if (child) return child;
		}
		return champ;
	});
}

function annotationTarget(ctx, input) {
	const record = loadDossier(ctx, input.dossierId);
	const instructeur = loadInstructeur(ctx, input.instructeurId);
	authorizeInstructeur(ctx, record, instructeur);
	return record;
}

function legacyAnnotation({ key, types }) {
	return mutation((input, ctx) => {
		const record = annotationTarget(ctx, input);
		const value = key === 'repetition' ? 1 : input.value;
		const [annotation] = writeAnnotations(ctx, record, [
			{ id: input.annotationId, key, value, types },
		]);
		return { annotation };
	});
}

// --- groupes instructeurs ----------------------------------------------------------------------

/**
 * ProfileInput list ({id} | {email}) → instructeur ids. Unknown valid e-mails become new
 * instructeurs (the platform invites them); invalid ones are `warnings`.
 */
function resolveProfiles(ctx, profiles, { create }) {
	const store = ctx.store;
	const ids = [];
	const warnings = [];
	for (const profile of profiles || []) {
		if (profile.id !== undefined && profile.id !== null) {
			const id = decodedNumber(profile.id, 'Instructeur');
			if (id !== null && store.instructeurs.has(id)) ids.push(id);
			continue;
		}
		const email = String(profile.email || '')
			.trim()
			.toLowerCase();
		if (!EMAIL.test(email)) {
			warnings.push({ message: `${profile.email} n’est pas une adresse électronique valide` });
			continue;
		}
		let id = store.instructeurIdByEmail(email);
		if (id === null && create) {
			id = Math.max(0, ...store.instructeurs.keys()) + 1;
			store.instructeurs.set(id, { id, email });
		}
		if (id !== null) ids.push(id);
	}
	return { ids: [...new Set(ids)], warnings };
}

function groupeInstructeurs(change) {
	return mutation((input, ctx) => {
		const groupe = loadGroupe(ctx, input.groupeInstructeurId);
		const { ids, warnings } = resolveProfiles(ctx, input.instructeurs, {
			create: change === 'add',
		});
		groupe.instructeurIds =
			change === 'add'
				? [...new Set([...groupe.instructeurIds, ...ids])]
				: groupe.instructeurIds.filter((id) => !ids.includes(id));
		return change === 'add'
			? { groupeInstructeur: groupe, warnings }
			: { groupeInstructeur: groupe };
	});
}

// --- the resolvers -----------------------------------------------------------------------------

const mutationResolvers = {
	createDirectUpload: ({ input }, ctx) => ctx.uploads.create(input, loadDossier(ctx, input.dossierId)),

	dossierArchiver: archiveChange(true),
	dossierDesarchiver: archiveChange(false),
	dossierAjouterLabel: labelChange(true),
	dossierSupprimerLabel: labelChange(false),

	dossierBasculeSuivi: mutation((input, ctx) => {
		const record = loadDossier(ctx, input.dossierId);
		const instructeur = loadInstructeur(ctx, input.instructeurId);
		authorizeInstructeur(ctx, record, instructeur);
		const follow = input.follow !== false;
		const following = record.followerIds.includes(instructeur.id);
		if (follow !== following) {
			record.followerIds = follow
				? [...record.followerIds, instructeur.id]
				: record.followerIds.filter((id) => id !== instructeur.id);
			headerChange(ctx, record, follow ? 'followed' : 'unfollowed', {
				instructeurEmail: instructeur.email,
			});
		}
		return {
			dossier: record,
			instructeur: { id: globalId('Instructeur', instructeur.id), email: instructeur.email },
		};
	}),

	dossierChangerGroupeInstructeur: mutation((input, ctx) => {
		const record = loadDossier(ctx, input.dossierId);
		const groupe = loadGroupe(ctx, input.groupeInstructeurId);
		if (groupe.number === record.groupe)
			fail(`Le dossier est déjà avec le groupe instructeur: '${groupe.label}'`);
		if (groupe.demarche !== record.demarche)
			fail(
				`Le groupe instructeur '${groupe.label}' n’appartient pas à la même démarche que le dossier`,
			);
		const previousGroupe = record.groupe;
		record.groupe = groupe.number;
		headerChange(ctx, record, 'groupeChanged', { previousGroupe, groupe: groupe.number });
		return { dossier: record };
	}),

	dossierEnvoyerMessage: mutation((input, ctx) => {
		const record = loadDossier(ctx, input.dossierId);
		const instructeur = loadInstructeur(ctx, input.instructeurId);
		const attachment = input.attachment ? attachedFile(ctx, input.attachment) : null;
		if (!String(input.body || '').trim()) fail('Le champ « Votre message » ne peut être vide');
		authorizeInstructeur(ctx, record, instructeur);
		if (input.correction && !CORRECTABLE_STATES.includes(record.state))
			fail(`Le dossier est déjà ${STATE_LABEL[record.state]}`); // sandbox wording
		const store = ctx.store;
		const message = store.addMessage(record.number, {
			body: input.body,
			email: instructeur.email,
			attachments: attachment ? [attachment] : [],
			correction: input.correction || null,
		});
		if (input.correction) {
			record.pendingCorrection = {
				messageId: message.id,
				reason: input.correction,
				at: store.now(),
			};
			if (record.state === 'en_instruction')
				store.changeState(record.number, 'en_construction', {
					instructeurEmail: instructeur.email,
					event: 'repasse_en_construction',
				});
		}
		notify(ctx, record, input.correction ? 'correction' : 'message', false);
		return { message };
	}),

	dossierSupprimerMessage: mutation((input, ctx) => {
		const instructeur = loadInstructeur(ctx, input.instructeurId);
		const found = findMessage(ctx.store, input.messageId);
		if (!found) throw notFound('Message');
		if (!inScope(ctx, found.record.demarche)) throw hidden('Message');
		const { record, message } = found;
		// Only the instructeur who wrote it may delete a message; never an usager's.
		if (message.email !== instructeur.email || message.discardedAt)
			fail('Le message ne peut pas être supprimé');
		if (record.pendingCorrection && record.pendingCorrection.messageId === message.id)
			record.pendingCorrection = null; // deleting it cancels the correction request
		ctx.store.discardMessage(record.number, message.id);
		return {
			message: ctx.store.content(record).messages.find((m) => m.id === message.id),
		};
	}),

	dossierModifierAnnotations: mutation(
		(input, ctx) => {
			const record = annotationTarget(ctx, input);
			const writes = input.annotations.map(({ id, value }) => {
				const keys = Object.keys(value).filter((k) => value[k] !== null && value[k] !== undefined);
				return { id, key: keys[0], value: value[keys[0]] };
			});
			return { annotations: writeAnnotations(ctx, record, writes) };
		},
		() => ({ annotations: [] }),
	),

	groupeInstructeurCreer: mutation((input, ctx) => {
		const store = ctx.store;
		const demarche = loadDemarche(ctx, input.demarche);
		const attrs = input.groupeInstructeur;
		const label = String(attrs.label || '').trim();
		if (!label) fail('Le libellé doit être rempli'); // sandbox wording
		if (demarche.groupeNumbers.some((n) => store.groupes.get(n).label === label))
			fail('Le libellé est déjà utilisé'); // sandbox wording
		const { ids, warnings } = resolveProfiles(ctx, attrs.instructeurs, { create: true });
		const number = Math.max(0, ...store.groupes.keys()) + 1;
		const groupe = {
			number,
			demarche: demarche.number,
			label,
			closed: Boolean(attrs.closed),
			instructeurIds: ids,
		};
		store.groupes.set(number, groupe);
		demarche.groupeNumbers = [...demarche.groupeNumbers, number];
		return { groupeInstructeur: groupe, warnings };
	}),

	groupeInstructeurModifier: mutation((input, ctx) => {
		const store = ctx.store;
		const groupe = loadGroupe(ctx, input.groupeInstructeurId);
		const demarche = store.demarches.get(groupe.demarche);
		if (input.closed === true && demarche.groupeNumbers[0] === groupe.number)
			fail('Il est impossible de désactiver le groupe d’instructeurs par défaut.');
		if (input.label !== undefined && input.label !== null) {
			const label = String(input.label).trim();
			if (
				demarche.groupeNumbers.some(
					(n) => n !== groupe.number && store.groupes.get(n).label === label,
				)
			)
				fail('Le libellé est déjà utilisé'); // sandbox wording
			groupe.label = label;
		}
		if (input.closed !== undefined && input.closed !== null) groupe.closed = input.closed;
		return { groupeInstructeur: groupe };
	}),

	groupeInstructeurAjouterInstructeurs: groupeInstructeurs('add'),
	groupeInstructeurSupprimerInstructeurs: groupeInstructeurs('remove'),

	demarcheCloner: mutation((input, ctx) => {
		const store = ctx.store;
		const source = loadDemarche(ctx, input.demarche);
		const number = Math.max(0, ...store.demarches.keys()) + 1;
		const groupeNumber = Math.max(0, ...store.groupes.keys()) + 1;
		store.groupes.set(groupeNumber, {
			number: groupeNumber,
			demarche: number,
			label: 'défaut',
			closed: false,
			instructeurIds: [],
		});
		const now = store.now();
		const clone = {
			...source,
			number,
			title: input.title || source.title,
			state: 'brouillon',
			groupeNumbers: [groupeNumber],
			labelIds: [],
			dateCreation: now,
			datePublication: null,
			dateDerniereModification: now,
		};
		store.demarches.set(number, clone);
		// A token listing démarches does not cover the new one; an all-démarches token does.
		return {
			demarche: { demarche: clone, revision: store.revisions.get(clone.activeRevisionId) },
		};
	}),
};

// --- webhooks v2 (schema/extensions/webhooks-v2.graphql; the sandbox's design) ----------------

const HTTP_URL = /^https?:\/\/[^\s/]+/i;

function loadWebhook(ctx, id) {
	const number = decodedNumber(id, 'Webhook');
	const webhook = number === null ? null : webhooksOf(ctx.sandbox).v2.get(number);
	if (!webhook) throw notFound('Webhook');
	if (!inScope(ctx, webhook.demarcheNumber)) throw hidden('Webhook');
	return webhook;
}

Object.assign(mutationResolvers, {
	webhookCreer: mutation((input, ctx) => {
		const demarche = loadDemarche(ctx, input.demarche);
		if (!HTTP_URL.test(input.url)) fail('L’URL du webhook doit commencer par http:// ou https://'); // sandbox wording
		if (!input.eventTypes.length) fail('Choisissez au moins un type d’évènement'); // sandbox wording
		const hooks = webhooksOf(ctx.sandbox);
		if (hooks.v2For(demarche.number).length >= 50)
			fail('Une démarche ne peut pas avoir plus de 50 webhooks'); // sandbox wording
		const webhook = hooks.createV2({
			demarche: demarche.number,
			url: input.url,
			eventTypes: input.eventTypes,
			label: input.label,
		});
		return { webhook: webhookView(ctx.store, webhook), secret: webhook.secret };
	}),
	webhookSupprimer: mutation((input, ctx) => {
		const webhook = loadWebhook(ctx, input.webhook);
		webhooksOf(ctx.sandbox).deleteV2(webhook.number);
		return { id: webhook.id };
	}),
});

/** Query fields of the extensions (merged into Query by schema.js). */
const queryResolvers = {
	webhooks: (_s, { demarche: find }, ctx) => {
		const demarche = loadDemarche(ctx, find);
		return webhooksOf(ctx.sandbox)
			.v2For(demarche.number)
			.map((w) => webhookView(ctx.store, w));
	},
	webhook: (_s, { id }, ctx) => webhookView(ctx.store, loadWebhook(ctx, id)),
};

for (const [name, change] of Object.entries(STATE_CHANGES))
	mutationResolvers[name] = stateChange(change);
for (const [name, legacy] of Object.entries(LEGACY_ANNOTATION_MUTATIONS))
	mutationResolvers[name] = legacyAnnotation(legacy);

module.exports = { mutationResolvers, queryResolvers, STATE_LABEL, FINAL_STATES };
