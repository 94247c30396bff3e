import type { LegacyAnnotationKind } from '../graphql/mutations';
import {
	InvalidValueError,
	isBlank,
	parseBoolean,
	parseDecimal,
	parseInteger,
	parseIsoDate,
	parseIsoDatetime,
} from '../output/values';
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

/** The AnnotationValueInput for one annotation, converted to the descriptor's type. */
export function convertAnnotationValue(descriptor: ChampDescriptor, value: unknown): AnnotationValueInput {
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
			return { date: parseIsoDate(value) };
		case 'datetime':
			return { datetime: parseIsoDatetime(value) };
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
	}
}

/**
 * Resolves every entry to its annotation descriptor (by label or champ ID) and converts its value.
 * Collects every problem before failing, so one run shows all the entries to fix.
 */
export function planAnnotations(annotations: ChampDescriptor[], entries: AnnotationEntry[]): PlannedAnnotation[] {
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
			planned.push({ descriptor, input: { id: descriptor.id, value: convertAnnotationValue(descriptor, entry.value) } });
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
	for (const { descriptor, input } of planned) {
		const [key, value] = Object.entries(input.value)[0] as [AnnotationValueKey, unknown];
		const annotationId = input.id;
		const kind = LEGACY_KIND_OF_KEY[key];
		if (!kind) {
			impossible.push(`"${descriptor.label}" (${key})`);
			continue;
		}
		if (kind === 'AjouterLigne') {
			for (let row = 0; row < (value as number); row++) calls.push({ kind, input: { annotationId } });
		} else calls.push({ kind, input: { annotationId, value } });
	}
	if (impossible.length) {
		throw new InvalidValueError(
			`This server has no dossierModifierAnnotations mutation (an older instance or a fork), and its older mutations cannot write ${impossible.join(', ')}`,
		);
	}
	return calls;
}
