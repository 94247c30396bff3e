'use strict';
/**
 * Annotation writes, as upstream `Mutations::DossierModifierAnnotations` (`dossier_modifier_annotations.rb`
 * @449610574b, with the value keys of PR #13561) and the legacy per-type mutations
 * (`dossier_modifier_annotation.rb` and subclasses):
 *
 * - The batch mutation is **not atomic**. A first pass looks every item up in input order (a
 *   `repetition: n` item adds its n rows right there); a second pass validates and saves each
 *   found item on its own. The payload lists the saved annotations (repetitions included, `[]`
 *   when none) and **every** error (`null` when none): first the lookup errors, then the
 *   validation errors, each in input order. Validation messages name no annotation.
 * - The legacy mutations write one annotation; an unknown annotation, or one of a type the
 *   mutation does not write, is `L’annotation "<id>" n’existe pas` (U+2019).
 *
 * Raw values follow generate.js. Checks the sandbox cannot make because its descriptors carry no
 * such options (number limits, date limits, formatted patterns) are not modelled.
 */
const { decodeGlobalId, globalId, parseDateTime } = require('./util');
const { buildChamp } = require('./generate');
const C = require('./catalog');

/** Champ type → the AnnotationValueInput key that writes it (the type, camel-cased). */
const KEY_OF_TYPE = {
	text: 'text',
	textarea: 'textarea',
	email: 'email',
	checkbox: 'checkbox',
	yes_no: 'yesNo',
	date: 'date',
	datetime: 'datetime',
	integer_number: 'integerNumber',
	decimal_number: 'decimalNumber',
	drop_down_list: 'dropDownList',
	multiple_drop_down_list: 'multipleDropDownList',
	dossier_link: 'dossierLink',
	repetition: 'repetition',
};
/** Added by PR #13561 (newer servers). */
const KEY_OF_NEWER_TYPE = {
	phone: 'phone',
	iban: 'iban',
	formatted: 'formatted',
	civilite: 'civilite',
	pays: 'pays',
	regions: 'regions',
	departements: 'departements',
	piece_justificative: 'pieceJustificative',
};

/** The types each legacy mutation writes (`annotation_type_champ`). */
const LEGACY_TYPES = {
	Text: ['text', 'textarea'],
	Checkbox: ['checkbox', 'yes_no'],
	Date: ['date'],
	Datetime: ['datetime'],
	IntegerNumber: ['integer_number'],
	DecimalNumber: ['decimal_number'],
	DropDownList: ['drop_down_list'],
};

// --- messages (champ errors use the format '%{message}': no label) -----------------------------

const MESSAGES = {
	email: 'est invalide. Saisissez une adresse électronique valide. Exemple : adresse@mail.com',
	option: 'doit être dans les options proposées',
	decimal: 'doit comprendre entre 1 et 3 chiffres après le point',
	dossierLink: 'Le dossier n’existe pas',
	phone: 'est invalide. Saisissez un numéro de téléphone valide. Exemple : 0612345678',
	iban: 'est invalide. Saisissez un numéro IBAN valide. Exemple (France) : FR76 1234 1234 1234 1234 1234 123',
	// Errors on `external_id` get the global format "Le champ « External » …" (inferred).
	paysCode: 'Le champ « External » n’est pas inclus(e) dans la liste',
	regionCode: 'Le champ « External » doit être un code de région valide',
	regionName: 'doit être un nom de région valide',
	departementCode: 'Le champ « External » doit être un code de département valide',
	departementName: 'doit être un nom de département valide',
};

/** StrictEmailValidator::REGEXP (TRUEMAIL_REGEX_EMAIL_PATTERN) @e1338d7. */
const STRICT_EMAIL =
	/^(?=.{6,255}$)[\p{L}0-9]+[\w\p{L}.+!~,'&%#*^`{}|\-/?=$]*@[\p{L}0-9]+([-.][\p{L}\p{N}\p{Pd}]*[\p{L}\p{N}]+)*\.\p{L}{2,63}$/iu;

/** Ruby's Float#to_s: exponent form from 1e16 and below 1e-4, else the shortest decimal. */
function rubyFloatText(value) {
	const abs = Math.abs(value);
	if (abs !== 0 && (abs >= 1e16 || abs < 1e-4))
		return value.toExponential().replace('e', 'e+').replace('e+-', 'e-');
	return Number.isInteger(value) ? `${value}.0` : String(value);
}

/** IBANTools::IBAN.valid? in short: country, check digits, and the mod-97 checksum. */
function validIban(text) {
	const iban = text.replace(/\s+/g, '').toUpperCase();
	if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(iban)) return false;
	const digits = (iban.slice(4) + iban.slice(0, 4)).replace(/[A-Z]/g, (c) =>
		String(c.charCodeAt(0) - 55),
	);
	let remainder = 0;
	for (const digit of digits) remainder = (remainder * 10 + Number(digit)) % 97;
	return remainder === 1;
}

/** Phonelib `possible?` for the default countries, in short: a French or an international number. */
function possiblePhone(text) {
	const compact = text.replace(/[\s.\-()]/g, '');
	return /^0[1-9]\d{8}$/.test(compact) || /^(\+|00)[1-9]\d{6,14}$/.test(compact);
}

const normalise = (text) =>
	String(text)
		.normalize('NFD')
		.replace(/[\u0300-\u036f]/g, '')
		.trim()
		.toLowerCase();

// --- the write of one annotation -----------------------------------------------------------------

class AnnotationError extends Error {}

/**
 * The annotation an ID names: `Champ-<stableId>` or `Champ-<stableId>|<rowId>`; the prefix is not
 * checked (`Champ.decode_typed_id`), only the stable ID, among the revision's private champs.
 * @returns {{desc, parent?: object, rowId?: string} | null}
 */
function findDescriptor(store, record, id) {
	const decoded = decodeGlobalId(id);
	if (!decoded) return null;
	const [stable, rowId] = String(decoded.id).split('|');
	const stableId = Number(stable);
	if (!Number.isInteger(stableId)) return null;
	for (const desc of store.revisionOf(record).annotations) {
		if (desc.stableId === stableId) return { desc, rowId };
		const child = desc.type === 'repetition' && desc.children.find((c) => c.stableId === stableId);
		if (child) return { desc: child, parent: desc, rowId };
	}
	return null;
}

/** An exception the platform's controller turns into HTTP 500 `internal_server_error` (api.js). */
class ServerError extends Error {
	constructor() {
		super('Internal Server Error');
		this.httpStatus = 500;
	}
}

/**
 * Converts an input value to the stored raw value, or throws AnnotationError with the platform's
 * messages (several for one item are possible upstream; one here).
 */
function rawValue(ctx, desc, value, current) {
	const fail = (message) => {
		throw new AnnotationError(message);
	};
	switch (desc.type) {
		case 'text':
		case 'textarea':
		case 'formatted':
			return String(value);
		case 'email': {
			const email = String(value).trim();
			if (email && !STRICT_EMAIL.test(email)) fail(MESSAGES.email);
			return email;
		}
		case 'phone':
			if (String(value).trim() && !possiblePhone(String(value))) fail(MESSAGES.phone);
			return String(value);
		case 'iban': {
			const text = String(value);
			if (text.trim() && !validIban(text)) fail(MESSAGES.iban);
			// Champs::IbanChamp#format_iban: spaces removed, then grouped by 4.
			return text.replace(/\s+/g, '').replace(/(.{4})(?=.)/g, '$1 ');
		}
		case 'checkbox':
		case 'yes_no':
			return value === true;
		case 'date':
			return value;
		case 'datetime':
			return parseDateTime(value);
		case 'integer_number':
			return String(value);
		case 'decimal_number':
			if (!/^-?[0-9]+([.,][0-9]{1,3})?$/.test(rubyFloatText(value))) fail(MESSAGES.decimal);
			return value;
		case 'drop_down_list':
			if (value !== '' && !desc.otherOption && !(desc.options || []).includes(value))
				fail(MESSAGES.option);
			return value === '' ? null : value;
		case 'multiple_drop_down_list': {
			const values = [...new Set(value)].filter((v) => v !== '');
			if (values.some((v) => !(desc.options || []).includes(v))) fail(MESSAGES.option);
			return values.length ? values : null;
		}
		case 'dossier_link': {
			const text = String(value).trim();
			if (!/^\d+$/.test(text) || !dossierExists(ctx, Number(text))) fail(MESSAGES.dossierLink);
			return Number(text);
		}
		case 'civilite':
			return value;
		case 'pays': {
			const text = String(value).trim();
			if (/^[A-Za-z]{2}$/.test(text)) {
				const pays = C.PAYS.find((p) => p.code === text.toUpperCase());
				if (!pays) fail(MESSAGES.paysCode);
				return pays.code;
			}
			// A name that is not a country's clears the champ, without an error.
			const byName = C.PAYS.find((p) => normalise(p.name) === normalise(text));
			return byName ? byName.code : null;
		}
		case 'regions': {
			const text = String(value).trim();
			if (/^[0-9A-Za-z]{2}$/.test(text)) {
				if (!C.REGIONS[text]) fail(MESSAGES.regionCode);
				return text;
			}
			const code = Object.keys(C.REGIONS).find((k) => normalise(C.REGIONS[k]) === normalise(text));
			if (!code) fail(MESSAGES.regionName);
			return code;
		}
		case 'departements': {
			const text = String(value).trim();
			if (/^[0-9A-Za-z]{2,3}$/.test(text)) {
				if (!C.DEPARTEMENTS[text.toUpperCase()]) fail(MESSAGES.departementCode);
				return text.toUpperCase();
			}
			const code = Object.keys(C.DEPARTEMENTS).find(
				(k) => normalise(C.DEPARTEMENTS[k].name) === normalise(text),
			);
			if (!code) fail(MESSAGES.departementName);
			return code;
		}
		case 'piece_justificative':
			// The blobs were checked before anything was loaded; they are appended (has_many attach).
			return [...(Array.isArray(current) ? current : []), ...value.map((id) => blobFile(ctx, id))];
		default:
			return fail('n’est pas modifiable'); // unreachable: the lookup filters the types
	}
}

/** `Dossier.exists?(value)`: any dossier of the instance, any state, a prefilled brouillon too. */
function dossierExists(ctx, number) {
	if (ctx.store.getDossier(number)) return true;
	const prefill = ctx.store.prefill;
	return Boolean(prefill && [...prefill.byToken.values()].some((entry) => entry.number === number));
}

function blobFile(ctx, signedBlobId) {
	return ctx.uploads.resolveSignedBlobId(signedBlobId).file;
}

/** Whether an annotation is shown by the conditional logic (hidden ones are saved unchecked). */
function visible(desc, values) {
	return !desc.condition || values[desc.condition.stableId] === desc.condition.equals;
}

/**
 * The lookup pass of one item: the annotation and its value, or an error message. A repetition is
 * written here (rows added at once, as `champ_for_update` + `repetition_add_row` do).
 * @returns {{found: object} | {error: string}}
 */
function lookUp(ctx, record, item, { accepted, keyOf, lookupMessages }) {
	const target = findDescriptor(ctx.store, record, item.id);
	if (!target || !accepted.includes(target.desc.type))
		return { error: lookupMessages.notFound(item.id) };
	const value = item.value[keyOf[target.desc.type]];
	if (value === undefined || value === null) return { error: lookupMessages.wrongType(item.id) };
	// A repetition's child named without its row: upstream raises (HTTP 500).
	if (target.parent && target.rowId === undefined) throw new ServerError();
	if (target.desc.type === 'repetition') {
		addRows(ctx, record, target.desc, Math.max(0, Number(value)));
		return { found: { ...target, repetition: true } };
	}
	return { found: { ...target, value } };
}

/** Appends n empty rows to a repetition annotation. */
function addRows(ctx, record, desc, count) {
	if (count === 0) return;
	const store = ctx.store;
	const rows = (store.content(record).annotationValues[desc.stableId] || []).map((row) => ({
		...row,
		values: { ...row.values },
	}));
	for (let i = 0; i < count; i++) {
		store.nextRowId = (store.nextRowId || 0) + 1;
		rows.push({ rowId: `9${String(store.nextRowId).padStart(6, '0')}`, values: {} });
	}
	store.setValues(record.number, { [desc.stableId]: rows }, { annotations: true, api: true });
}

/**
 * Validates and saves one found item. Returns the saved champ as served, or throws AnnotationError.
 */
function save(ctx, record, found) {
	const store = ctx.store;
	const values = store.content(record).annotationValues;
	if (found.repetition) return servedChamp(store, record, found);
	const checked = visible(found.desc, values);
	if (!found.parent) {
		const raw = convert(ctx, found.desc, found.value, values[found.desc.stableId], checked);
		store.setValues(record.number, { [found.desc.stableId]: raw }, { annotations: true, api: true });
		return servedChamp(store, record, found);
	}
	const rows = (values[found.parent.stableId] || []).map((row) => ({
		...row,
		values: { ...row.values },
	}));
	const row = rows.find((r) => r.rowId === found.rowId);
	const raw = convert(
		ctx,
		found.desc,
		found.value,
		row ? row.values[found.desc.stableId] : undefined,
		checked,
	);
	// A row that does not exist: upstream creates a champ in it that no row ever shows (inferred).
	if (!row) return buildChamp(found.desc, raw, { updatedAt: store.now(), rowId: found.rowId });
	row.values[found.desc.stableId] = raw;
	store.setValues(record.number, { [found.parent.stableId]: rows }, { annotations: true, api: true });
	return servedChamp(store, record, found);
}

/** The value to store; an annotation hidden by conditional logic is stored without its checks. */
function convert(ctx, desc, value, current, checked) {
	if (checked) return rawValue(ctx, desc, value, current);
	try {
		return rawValue(ctx, desc, value, current);
	} catch (e) {
		if (e instanceof AnnotationError) return value;
		throw e;
	}
}

function servedChamp(store, record, found) {
	const served = store.content(record).annotations;
	const top = found.parent || found.desc;
	const champ = served.find((c) => c.champDescriptorId === globalId('Champ', top.stableId));
	if (!found.parent || !champ) return champ || buildChamp(top, null, { updatedAt: store.now() });
	for (const row of champ.rows) {
		const child = row.champs.find(
			(c) => c.id === globalId('Champ', `${found.desc.stableId}|${found.rowId}`),
		);
		if (child) return child;
	}
	return champ;
}

/** The value types a server writes through dossierModifierAnnotations. */
function batchKeys(olderServer) {
	return olderServer ? KEY_OF_TYPE : { ...KEY_OF_TYPE, ...KEY_OF_NEWER_TYPE };
}

/**
 * dossierModifierAnnotations' resolve: `{annotations, errors}` as upstream (see the file comment).
 * @param {Array<{id: string, value: object}>} items
 */
function writeBatch(ctx, record, items) {
	const keyOf = batchKeys(ctx.sandbox && ctx.sandbox.modes.olderServer);
	const options = {
		accepted: Object.keys(keyOf),
		keyOf,
		lookupMessages: {
			notFound: (id) => `L‘annotation "${id}" n’existe pas`,
			wrongType: (id) => `L‘annotation "${id}" n’est pas de type attendu`,
		},
	};
	const lookupErrors = [];
	const found = [];
	for (const item of items) {
		const result = lookUp(ctx, record, item, options);
		if (result.error) lookupErrors.push(result.error);
		else found.push(result.found);
	}
	const annotations = [];
	const invalid = [];
	for (const item of found) {
		try {
			annotations.push(save(ctx, record, item));
		} catch (e) {
			if (!(e instanceof AnnotationError)) throw e;
			invalid.push(e.message);
		}
	}
	const errors = [...lookupErrors, ...invalid].map((message) => ({ message }));
	return { annotations, errors: errors.length ? errors : null };
}

/** A legacy per-type mutation: one annotation, `L’annotation … n’existe pas` for any lookup failure. */
function writeLegacy(ctx, record, kind, annotationId, value) {
	const missing = `L’annotation "${annotationId}" n’existe pas`;
	const target = findDescriptor(ctx.store, record, annotationId);
	if (kind === 'AjouterLigne') {
		if (!target || target.desc.type !== 'repetition') throw new AnnotationError(missing);
		addRows(ctx, record, target.desc, 1);
		return servedChamp(ctx.store, record, target);
	}
	if (!target || !LEGACY_TYPES[kind].includes(target.desc.type)) throw new AnnotationError(missing);
	if (target.parent && target.rowId === undefined) throw new ServerError();
	// The Checkbox mutation takes a Boolean for checkbox and yes/no alike.
	return save(ctx, record, { ...target, value });
}

/**
 * The signed blob IDs of `pieceJustificative` values, for the check before anything is loaded.
 * @returns {string[]}
 */
function blobIdsOf(items) {
	return items.flatMap((item) => (item.value && item.value.pieceJustificative) || []);
}

module.exports = {
	writeBatch,
	writeLegacy,
	blobIdsOf,
	AnnotationError,
	ServerError,
	LEGACY_TYPES,
	MESSAGES,
	rubyFloatText,
};
