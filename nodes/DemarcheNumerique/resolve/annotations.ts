import type { LegacyAnnotationKind } from '../graphql/mutations';
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
	| 'repetition';

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
};

/** A value that cannot be written to its annotation; the message says why and what is expected. */
export class AnnotationValueError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'AnnotationValueError';
	}
}

export interface AnnotationEntry {
	/** Label or champ ID of the annotation. */
	annotation: string;
	value: unknown;
}

export interface PlannedAnnotation {
	descriptor: ChampDescriptor;
	/** The AnnotationInput of dossierModifierAnnotations. */
	input: { id: string; value: AnnotationValueInput };
}

const INT_MAX = 2_147_483_647;
const TRUE_WORDS = new Set(['true', '1', 'yes', 'y', 'oui', 'o', 'on', 'x', 'checked', 'vrai']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'n', 'non', 'off', '', 'unchecked', 'faux']);

function isBlank(value: unknown): boolean {
	return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

/** Luxon DateTime and JS Date (from n8n expressions) as ISO strings; other values untouched. */
function fromDateObject(value: unknown): unknown {
	if (value instanceof Date) return value.toISOString();
	if (value && typeof value === 'object' && typeof (value as { toISO?: unknown }).toISO === 'function') {
		return (value as { toISO: () => string }).toISO();
	}
	return value;
}

export function toBoolean(value: unknown): boolean {
	if (typeof value === 'boolean') return value;
	if (typeof value === 'number' && (value === 0 || value === 1)) return value === 1;
	const word = String(value ?? '').trim().toLowerCase();
	if (TRUE_WORDS.has(word)) return true;
	if (FALSE_WORDS.has(word)) return false;
	throw new AnnotationValueError(`"${String(value)}" is not a yes/no value: use true or false`);
}

/** `YYYY-MM-DD`, from an ISO date or date-time (its date part as written) or `DD/MM/YYYY`. */
export function toIsoDate(raw: unknown): string {
	const value = fromDateObject(raw);
	const text = String(value ?? '').trim();
	let match = /^(\d{4})-(\d{2})-(\d{2})(?:$|[T ])/.exec(text);
	let parts: [string, string, string] | undefined = match ? [match[1], match[2], match[3]] : undefined;
	if (!parts) {
		match = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text);
		if (match) parts = [match[3], match[2].padStart(2, '0'), match[1].padStart(2, '0')];
	}
	if (parts) {
		const [y, m, d] = parts.map(Number);
		const date = new Date(Date.UTC(y, m - 1, d));
		if (date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d) {
			return `${parts[0]}-${parts[1]}-${parts[2]}`;
		}
	}
	throw new AnnotationValueError(`"${text}" is not a date: use YYYY-MM-DD (or DD/MM/YYYY)`);
}

/** An ISO 8601 date-time with its offset; a value without offset is read in this server's time zone. */
export function toIsoDatetime(raw: unknown): string {
	const value = fromDateObject(raw);
	const text = String(value ?? '').trim();
	if (/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/.test(text)) {
		const time = Date.parse(text.replace(' ', 'T'));
		if (Number.isFinite(time)) {
			// Keep an explicit offset as written: the platform stores the instant either way.
			return /(Z|[+-]\d{2}:?\d{2})$/.test(text) && text.includes('T') ? text : new Date(time).toISOString();
		}
	}
	throw new AnnotationValueError(
		`"${text}" is not a date and time: use ISO 8601, e.g. 2026-03-31T14:30:00+02:00`,
	);
}

export function toInteger(value: unknown): number {
	const text = typeof value === 'number' ? String(value) : String(value ?? '').replace(/[\s\u00a0\u202f]/g, '');
	if (!/^[-+]?\d+$/.test(text)) throw new AnnotationValueError(`"${String(value)}" is not a whole number`);
	const number = Number(text);
	if (Math.abs(number) > INT_MAX) {
		throw new AnnotationValueError(
			`${text} is beyond what the API accepts for integer annotations (±${INT_MAX})`,
		);
	}
	return number;
}

export function toDecimal(value: unknown): number {
	if (typeof value === 'number' && Number.isFinite(value)) return value;
	const text = String(value ?? '')
		.replace(/[\s\u00a0\u202f]/g, '')
		.replace(',', '.');
	const number = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(text) ? Number(text) : NaN;
	if (!Number.isFinite(number)) throw new AnnotationValueError(`"${String(value)}" is not a number`);
	return number;
}

/** The option as the platform spells it; case and surrounding spaces are forgiven. */
function matchOption(descriptor: ChampDescriptor, value: string): string {
	const options = descriptor.options ?? [];
	if (options.includes(value)) return value;
	const loose = options.find((option) => option.trim().toLowerCase() === value.trim().toLowerCase());
	if (loose !== undefined) return loose;
	if (descriptor.otherOption) return value;
	throw new AnnotationValueError(
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
			if (!Array.isArray(parsed)) throw new AnnotationValueError(`"${text}" is not a JSON array of options`);
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
	if (!number) throw new AnnotationValueError(`"${text}" is not a dossier number or dossier URL`);
	return number;
}

/** The AnnotationValueInput for one annotation, converted to the descriptor's type. */
export function convertAnnotationValue(descriptor: ChampDescriptor, value: unknown): AnnotationValueInput {
	const key = VALUE_KEY_BY_DESCRIPTOR[descriptor.__typename];
	if (!key) {
		throw new AnnotationValueError(
			`The annotation "${descriptor.label}" is of type ${descriptor.__typename.replace(/ChampDescriptor$/, '')}, which the API cannot write`,
		);
	}
	const blankAllowed = key === 'text' || key === 'textarea' || key === 'multipleDropDownList';
	if (isBlank(value) && !blankAllowed && key !== 'checkbox' && key !== 'yesNo') {
		throw new AnnotationValueError(
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
				throw new AnnotationValueError(`"${email}" is not an e-mail address`);
			}
			return { email };
		}
		case 'checkbox':
		case 'yesNo':
			if (key === 'yesNo' && isBlank(value)) {
				throw new AnnotationValueError(`No value for "${descriptor.label}": use true or false`);
			}
			return { [key]: toBoolean(value) };
		case 'date':
			return { date: toIsoDate(value) };
		case 'datetime':
			return { datetime: toIsoDatetime(value) };
		case 'integerNumber':
			return { integerNumber: toInteger(value) };
		case 'decimalNumber':
			return { decimalNumber: toDecimal(value) };
		case 'dropDownList':
			return { dropDownList: matchOption(descriptor, String(value).trim()) };
		case 'multipleDropDownList':
			return { multipleDropDownList: toChoices(descriptor, value) };
		case 'dossierLink':
			return { dossierLink: toDossierLink(value) };
		case 'repetition': {
			const rows = toInteger(value);
			if (rows < 1 || rows > 100) {
				throw new AnnotationValueError(
					`"${String(value)}" rows: the value of a repetition annotation is the number of rows to add (1 to 100)`,
				);
			}
			return { repetition: rows };
		}
	}
}

/**
 * Resolves every entry to its annotation descriptor (by label or champ ID) and converts its value.
 * Collects every problem before failing, so one run shows all the entries to fix.
 */
export function planAnnotations(annotations: ChampDescriptor[], entries: AnnotationEntry[]): PlannedAnnotation[] {
	if (!entries.length) throw new AnnotationValueError('No annotation to update: add at least one');
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
			planned.push({ descriptor, input: { id: descriptor.id, value: convertAnnotationValue(descriptor, entry.value) } });
		} catch (error) {
			problems.push((error as Error).message);
		}
	}
	if (problems.length) throw new AnnotationValueError(problems.join('; '));
	return planned;
}

/** One call of a deprecated per-type mutation. */
export interface LegacyCall {
	kind: LegacyAnnotationKind;
	/** Input fields besides dossierId and instructeurId. */
	input: { annotationId: string; value?: unknown };
}

/**
 * The deprecated per-type mutations that write the same values, for servers without
 * dossierModifierAnnotations. Multiple drop-downs and dossier links have no legacy mutation.
 */
export function legacyCalls(planned: PlannedAnnotation[]): LegacyCall[] {
	const calls: LegacyCall[] = [];
	const impossible: string[] = [];
	for (const { descriptor, input } of planned) {
		const [key, value] = Object.entries(input.value)[0] as [AnnotationValueKey, unknown];
		const annotationId = input.id;
		const kind: LegacyAnnotationKind | undefined = (
			{
				text: 'Text',
				textarea: 'Text',
				email: 'Text',
				checkbox: 'Checkbox',
				yesNo: 'Checkbox',
				date: 'Date',
				datetime: 'Datetime',
				integerNumber: 'IntegerNumber',
				decimalNumber: 'DecimalNumber',
				dropDownList: 'DropDownList',
				repetition: 'AjouterLigne',
			} as Partial<Record<AnnotationValueKey, LegacyAnnotationKind>>
		)[key];
		if (!kind) {
			impossible.push(`"${descriptor.label}" (${key})`);
			continue;
		}
		if (kind === 'AjouterLigne') {
			for (let row = 0; row < (value as number); row++) calls.push({ kind, input: { annotationId } });
		} else calls.push({ kind, input: { annotationId, value } });
	}
	if (impossible.length) {
		throw new AnnotationValueError(
			`This server has no dossierModifierAnnotations mutation (an older instance or a fork), and its older mutations cannot write ${impossible.join(', ')}`,
		);
	}
	return calls;
}
