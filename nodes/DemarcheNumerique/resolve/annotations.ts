import type { LegacyAnnotationKind } from '../graphql/mutations';
import { InvalidValueError, isBlank, parseBoolean, parseDecimal, parseInteger } from '../output/values';
import { userDate, userDateTime } from './dates';
import type { ChampDescriptor } from './descriptors';
import { findDescriptor } from './descriptors';

/** One member of the platform's one-of `AnnotationValueInput`. */
export type AnnotationValueKey =
	| 'text'
	| 'textarea'
	| 'email'
	| 'checkbox'
	| 'yesNo'
	| 'date'
	| 'datetime'
	| 'integerNumber'
	| 'decimalNumber'
	| 'dropDownList'
	| 'multipleDropDownList'
	| 'dossierLink'
	| 'repetition'
	// PR #13561 (mid-2026): newer servers only, detected by introspection.
	| 'phone'
	| 'iban'
	| 'formatted'
	| 'civilite'
	| 'pays'
	| 'regions'
	| 'departements'
	| 'pieceJustificative';

export type AnnotationValueInput = Partial<Record<AnnotationValueKey, unknown>>;

/** Descriptor type → the AnnotationValueInput member that writes it. */
export const VALUE_KEY_BY_DESCRIPTOR: Record<string, AnnotationValueKey> = {
	TextChampDescriptor: 'text',
	TextareaChampDescriptor: 'textarea',
	EmailChampDescriptor: 'email',
	CheckboxChampDescriptor: 'checkbox',
	YesNoChampDescriptor: 'yesNo',
	DateChampDescriptor: 'date',
	DatetimeChampDescriptor: 'datetime',
	IntegerNumberChampDescriptor: 'integerNumber',
	DecimalNumberChampDescriptor: 'decimalNumber',
	DropDownListChampDescriptor: 'dropDownList',
	MultipleDropDownListChampDescriptor: 'multipleDropDownList',
	DossierLinkChampDescriptor: 'dossierLink',
	RepetitionChampDescriptor: 'repetition',
	PhoneChampDescriptor: 'phone',
	IbanChampDescriptor: 'iban',
	FormattedChampDescriptor: 'formatted',
	CiviliteChampDescriptor: 'civilite',
	PaysChampDescriptor: 'pays',
	RegionChampDescriptor: 'regions',
	DepartementChampDescriptor: 'departements',
	PieceJustificativeChampDescriptor: 'pieceJustificative',
};

/** The keys of the 2026-03-31 schema: every server with dossierModifierAnnotations has them. */
export const BASE_VALUE_KEYS: AnnotationValueKey[] = [
	'text',
	'textarea',
	'email',
	'checkbox',
	'yesNo',
	'date',
	'datetime',
	'integerNumber',
	'decimalNumber',
	'dropDownList',
	'multipleDropDownList',
	'dossierLink',
	'repetition',
];

/** A value that cannot be written to its annotation (the value conversions' error). */
export { InvalidValueError as AnnotationValueError };

export interface AnnotationEntry {
	/** Label or champ ID of the annotation. */
	annotation: string;
	value: unknown;
}

export interface PlannedAnnotation {
	descriptor: ChampDescriptor;
	/** The AnnotationInput of dossierModifierAnnotations. */
	input: { id: string; value: AnnotationValueInput };
	/** A file annotation: the input binary properties to upload, whose signed IDs fill the value. */
	binaryProperties?: string[];
}

/** How values are read: in the workflow's time zone. */
export interface ConversionOptions {
	timeZone: string;
}

/** The option as the platform spells it; case and surrounding spaces are forgiven. */
function matchOption(descriptor: ChampDescriptor, value: string): string {
	const options = descriptor.options ?? [];
	if (options.includes(value)) return value;
	const loose = options.find((option) => option.trim().toLowerCase() === value.trim().toLowerCase());
	if (loose !== undefined) return loose;
	if (descriptor.otherOption) return value;
	throw new InvalidValueError(
		`"${value}" is not an option of "${descriptor.label}". Options: ${options.map((o) => `"${o}"`).join(', ') || 'none'}`,
	);
}

function toChoices(descriptor: ChampDescriptor, raw: unknown): string[] {
	let list: unknown[];
	if (Array.isArray(raw)) list = raw;
	else {
		const text = String(raw ?? '').trim();
		if (text.startsWith('[')) {
			let parsed: unknown;
			try {
				parsed = JSON.parse(text);
			} catch {
				parsed = undefined;
			}
			if (!Array.isArray(parsed)) throw new InvalidValueError(`"${text}" is not a JSON array of options`);
			list = parsed;
		} else if (text === '') list = [];
		else if ((descriptor.options ?? []).some((o) => o.trim().toLowerCase() === text.toLowerCase())) list = [text];
		else list = text.split(/\s*[,;\n]\s*/).filter((part) => part !== '');
	}
	return list.map((item) => matchOption(descriptor, String(item)));
}

function toDossierLink(value: unknown): string {
	const text = String(value ?? '').trim();
	const number = /^\d+$/.test(text) ? text : /\/dossiers\/(\d+)/.exec(text)?.[1];
	if (!number) throw new InvalidValueError(`"${text}" is not a dossier number or dossier URL`);
	return number;
}

const CIVILITES: Record<string, 'M' | 'Mme'> = {
	m: 'M',
	'm.': 'M',
	mr: 'M',
	monsieur: 'M',
	mme: 'Mme',
	madame: 'Mme',
};

/** IBAN structure and its mod-97 check digits (the platform checks the same, IBANTools). */
function toIban(value: unknown): string {
	const compact = String(value ?? '').replace(/\s+/g, '').toUpperCase();
	const digits = (compact.slice(4) + compact.slice(0, 4)).replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55));
	let remainder = 0;
	for (const digit of digits) remainder = (remainder * 10 + Number(digit)) % 97;
	if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(compact) || remainder !== 1) {
		throw new InvalidValueError(`"${String(value)}" is not a valid IBAN (e.g. FR76 3000 6000 0112 3456 7890 189)`);
	}
	return compact;
}

function toPhone(value: unknown): string {
	const text = String(value ?? '').trim();
	const digits = text.replace(/\D/g, '');
	if (!/^\+?[\d\s.\-()]+$/.test(text) || digits.length < 6 || digits.length > 15) {
		throw new InvalidValueError(`"${text}" is not a phone number (e.g. 06 12 34 56 78 or +33 6 12 34 56 78)`);
	}
	return text;
}

/** The binary properties of the input item that hold the files: a name, or several separated by commas. */
function toBinaryProperties(value: unknown): string[] {
	const names = (Array.isArray(value) ? value.map(String) : String(value ?? '').split(/\s*[,;\n]\s*/))
		.map((name) => name.trim())
		.filter(Boolean);
	if (!names.length) throw new InvalidValueError('Name the binary property that holds the file (e.g. data)');
	return names;
}

/** The AnnotationValueInput for one annotation, converted to the descriptor's type. */
export function convertAnnotationValue(
	descriptor: ChampDescriptor,
	value: unknown,
	options: ConversionOptions = { timeZone: 'UTC' },
): AnnotationValueInput {
	const key = VALUE_KEY_BY_DESCRIPTOR[descriptor.__typename];
	if (!key) {
		throw new InvalidValueError(
			`The annotation "${descriptor.label}" is of type ${descriptor.__typename.replace(/ChampDescriptor$/, '')}, which the API cannot write`,
		);
	}
	const blankAllowed = key === 'text' || key === 'textarea' || key === 'multipleDropDownList';
	if (isBlank(value) && !blankAllowed && key !== 'checkbox' && key !== 'yesNo') {
		throw new InvalidValueError(
			`No value for "${descriptor.label}": the API cannot empty a ${key} annotation`,
		);
	}
	switch (key) {
		case 'text':
		case 'textarea':
			return { [key]: isBlank(value) ? '' : String(value) };
		case 'email': {
			const email = String(value).trim();
			if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) {
				throw new InvalidValueError(`"${email}" is not an e-mail address`);
			}
			return { email };
		}
		case 'checkbox':
		case 'yesNo':
			if (key === 'yesNo' && isBlank(value)) {
				throw new InvalidValueError(`No value for "${descriptor.label}": use true or false`);
			}
			return { [key]: parseBoolean(value) };
		case 'date':
			return { date: userDate(value, options.timeZone) };
		case 'datetime':
			return { datetime: userDateTime(value, options.timeZone) };
		case 'integerNumber':
			return { integerNumber: parseInteger(value) };
		case 'decimalNumber':
			return { decimalNumber: parseDecimal(value) };
		case 'dropDownList':
			return { dropDownList: matchOption(descriptor, String(value).trim()) };
		case 'multipleDropDownList':
			return { multipleDropDownList: toChoices(descriptor, value) };
		case 'dossierLink':
			return { dossierLink: toDossierLink(value) };
		case 'repetition': {
			const rows = parseInteger(value);
			if (rows < 1 || rows > 100) {
				throw new InvalidValueError(
					`"${String(value)}" rows: the value of a repetition annotation is the number of rows to add (1 to 100)`,
				);
			}
			return { repetition: rows };
		}
		case 'phone':
			return { phone: toPhone(value) };
		case 'iban':
			return { iban: toIban(value) };
		case 'formatted':
			return { formatted: String(value).trim() };
		case 'civilite': {
			const civilite = CIVILITES[String(value).trim().toLowerCase()];
			if (!civilite) throw new InvalidValueError(`"${String(value)}" is not a civility: use M. or Mme`);
			return { civilite };
		}
		case 'pays':
		case 'regions':
		case 'departements':
			// A code or a name; the platform checks it against its lists.
			return { [key]: String(value).trim() };
		case 'pieceJustificative':
			// Filled with the signed blob IDs once the files are uploaded (binaryProperties).
			return { pieceJustificative: [] };
	}
}

/** The AnnotationValueInput key of a planned annotation. */
export const valueKeyOf = (planned: PlannedAnnotation) => Object.keys(planned.input.value)[0] as AnnotationValueKey;

/** The planned annotations whose value keys are not the 2026-03-31 schema's (PR #13561's). */
export const newerKeys = (planned: PlannedAnnotation[]) =>
	planned.filter((p) => !BASE_VALUE_KEYS.includes(valueKeyOf(p)));

/**
 * Refuses, before anything is sent, the annotations whose type the server cannot write (its
 * AnnotationValueInput lacks the key: older instances and forks, before PR #13561).
 */
export function checkValueKeys(planned: PlannedAnnotation[], serverKeys: Set<string>): void {
	const missing = planned.filter((p) => !serverKeys.has(valueKeyOf(p)));
	if (!missing.length) return;
	throw new InvalidValueError(
		`This server cannot write ${missing.map((p) => `"${p.descriptor.label}" (${p.descriptor.__typename.replace(/ChampDescriptor$/, '')})`).join(', ')} through the API: the platform added these types in mid-2026 (PR #13561), and older instances and forks lack them`,
	);
}

/**
 * Resolves every entry to its annotation descriptor (by label or champ ID) and converts its value.
 * Collects every problem before failing, so one run shows all the entries to fix.
 */
export function planAnnotations(
	annotations: ChampDescriptor[],
	entries: AnnotationEntry[],
	options: ConversionOptions = { timeZone: 'UTC' },
): PlannedAnnotation[] {
	if (!entries.length) throw new InvalidValueError('No annotation to update: add at least one');
	const problems: string[] = [];
	const planned: PlannedAnnotation[] = [];
	const seen = new Set<string>();
	for (const entry of entries) {
		let descriptor: ChampDescriptor;
		try {
			descriptor = findDescriptor(annotations, entry.annotation);
		} catch (error) {
			problems.push((error as Error).message);
			continue;
		}
		if (seen.has(descriptor.id)) {
			problems.push(`"${descriptor.label}" is listed twice`);
			continue;
		}
		seen.add(descriptor.id);
		try {
			const value = convertAnnotationValue(descriptor, entry.value, options);
			planned.push({
				descriptor,
				input: { id: descriptor.id, value },
				...('pieceJustificative' in value ? { binaryProperties: toBinaryProperties(entry.value) } : {}),
			});
		} catch (error) {
			problems.push((error as Error).message);
		}
	}
	if (problems.length) throw new InvalidValueError(problems.join('; '));
	return planned;
}

/** One call of a deprecated per-type mutation. */
export interface LegacyCall {
	kind: LegacyAnnotationKind;
	/** Input fields besides dossierId and instructeurId. */
	input: { annotationId: string; value?: unknown };
	/** The annotation the call writes (a repetition takes one call per row). */
	annotation: PlannedAnnotation;
}

/** The deprecated per-type mutation that writes each AnnotationValueInput member, where one exists. */
export const LEGACY_KIND_OF_KEY: Partial<Record<AnnotationValueKey, LegacyAnnotationKind>> = {
	// The Text mutation writes text and textarea annotations only (e-mail is "n’existe pas").
	text: 'Text',
	textarea: 'Text',
	checkbox: 'Checkbox',
	yesNo: 'Checkbox',
	date: 'Date',
	datetime: 'Datetime',
	integerNumber: 'IntegerNumber',
	decimalNumber: 'DecimalNumber',
	dropDownList: 'DropDownList',
	repetition: 'AjouterLigne',
};

/**
 * The deprecated per-type mutations that write the same values, for servers without
 * dossierModifierAnnotations. Multiple drop-downs and dossier links have no legacy mutation.
 */
export function legacyCalls(planned: PlannedAnnotation[]): LegacyCall[] {
	const calls: LegacyCall[] = [];
	const impossible: string[] = [];
	for (const annotation of planned) {
		const { descriptor, input } = annotation;
		const [key, value] = Object.entries(input.value)[0] as [AnnotationValueKey, unknown];
		const annotationId = input.id;
		const kind = LEGACY_KIND_OF_KEY[key];
		if (!kind) {
			impossible.push(`"${descriptor.label}" (${key})`);
			continue;
		}
		if (kind === 'AjouterLigne') {
			for (let row = 0; row < (value as number); row++) calls.push({ kind, input: { annotationId }, annotation });
		} else calls.push({ kind, input: { annotationId, value }, annotation });
	}
	if (impossible.length) {
		throw new InvalidValueError(
			`This server has no dossierModifierAnnotations mutation (an older instance or a fork), and its older mutations cannot write ${impossible.join(', ')}`,
		);
	}
	return calls;
}

/** What happened to one annotation of a write. */
export interface AnnotationResult {
	/** The annotation's label. */
	annotation: string;
	/** Its champ ID. */
	id: string;
	/** The platform's message when it was refused. */
	error?: string;
}

export interface AnnotationOutcome {
	written: AnnotationResult[];
	failed: AnnotationResult[];
}

const LOOKUP_ERROR = /^L[‘’']annotation "(.+)" n[’']/;

/**
 * Which annotations dossierModifierAnnotations saved and which it refused, and why. The platform
 * saves each valid item on its own and returns the saved ones (`annotations`, null when it stopped
 * before writing anything) and every error; lookup errors name the annotation, validation errors
 * do not, so they go, in order, to the items neither saved nor named (all of them to each when the
 * counts differ).
 */
export function batchOutcome(
	planned: PlannedAnnotation[],
	payload: { annotations?: Array<{ id?: string }> | null; errors?: Array<{ message: string }> | null },
): AnnotationOutcome {
	const messages = (payload.errors ?? []).map((e) => e.message);
	const result = (p: PlannedAnnotation, error?: string): AnnotationResult => ({
		annotation: p.descriptor.label,
		id: p.input.id,
		...(error === undefined ? {} : { error }),
	});
	if (!payload.annotations) {
		const all = messages.join(' / ') || 'refused';
		return { written: [], failed: planned.map((p) => result(p, all)) };
	}
	const saved = new Set(payload.annotations.map((a) => a.id));
	const named = new Map<string, string>();
	const unnamed: string[] = [];
	for (const message of messages) {
		const id = LOOKUP_ERROR.exec(message)?.[1];
		if (id !== undefined && planned.some((p) => p.input.id === id)) named.set(id, message);
		else unnamed.push(message);
	}
	// No error: all written. Otherwise the named ones failed, and the unnamed messages belong to
	// the items the platform did not return as saved.
	const unexplained = unnamed.length
		? planned.filter((p) => !named.has(p.input.id) && !saved.has(p.input.id))
		: [];
	const failed: AnnotationResult[] = [];
	const written: AnnotationResult[] = [];
	for (const p of planned) {
		if (named.has(p.input.id)) failed.push(result(p, named.get(p.input.id)));
		else if (unexplained.includes(p)) {
			const index = unexplained.indexOf(p);
			failed.push(result(p, unnamed.length === unexplained.length ? unnamed[index] : unnamed.join(' / ')));
		} else written.push(result(p));
	}
	// Messages no item can take (the platform returned every other item as saved).
	if (unnamed.length && !unexplained.length) {
		failed.push({ annotation: '(not attributed)', id: '', error: unnamed.join(' / ') });
	}
	return { written, failed };
}

/** `"A", "B"` */
export const labelList = (results: AnnotationResult[]) => results.map((r) => `"${r.annotation}"`).join(', ');
