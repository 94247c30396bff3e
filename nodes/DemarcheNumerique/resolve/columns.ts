import type { FieldType, INodePropertyOptions, ResourceMapperField } from 'n8n-workflow';

import { VALUE_KEY_BY_DESCRIPTOR } from './annotations';
import type { ChampDescriptor } from './descriptors';
import { descriptorKeys } from './descriptors';

/**
 * The columns of n8n's resource mapper for a démarche's form: one per annotation (Update
 * Annotations) or champ (Create Prefilled), keyed by the descriptor's champ ID (stable when an
 * administrator rewords a label), named by its label as the simplified dossier shows it, typed for
 * n8n's inputs. The ones that cannot be written are listed read-only and removed, with the reason in
 * their name, so a user sees why a column of the form is missing.
 */

/** n8n's resource mapper renders a column with the parameter type of the same name: a multi-select here. */
const MULTI_OPTIONS = 'multiOptions' as FieldType;

const LAYOUT = new Set(['HeaderSectionChampDescriptor', 'ExplicationChampDescriptor']);

/**
 * Types the prefill endpoint fills (`TypeDeChamp#prefillable?`, upstream @3363454360); the others
 * are skipped silently by the platform.
 */
const PREFILLABLE = new Set([
	'TextChampDescriptor',
	'TextareaChampDescriptor',
	'DecimalNumberChampDescriptor',
	'IntegerNumberChampDescriptor',
	'FormattedChampDescriptor',
	'EmailChampDescriptor',
	'PhoneChampDescriptor',
	'IbanChampDescriptor',
	'CiviliteChampDescriptor',
	'PaysChampDescriptor',
	'RegionChampDescriptor',
	'DepartementChampDescriptor',
	'CommuneChampDescriptor',
	'AddressChampDescriptor',
	'DateChampDescriptor',
	'DatetimeChampDescriptor',
	'YesNoChampDescriptor',
	'CheckboxChampDescriptor',
	'DropDownListChampDescriptor',
	'RepetitionChampDescriptor',
	'MultipleDropDownListChampDescriptor',
	'EpciChampDescriptor',
	'DossierLinkChampDescriptor',
	'SiretChampDescriptor',
]);

/** The platform's name of a descriptor type, for messages: `DropDownListChampDescriptor` → `DropDownList`. */
const typeLabel = (descriptor: ChampDescriptor) => descriptor.__typename.replace(/ChampDescriptor$/, '');

const optionsOf = (values: string[] | null | undefined): INodePropertyOptions[] =>
	(values ?? []).map((value) => ({ name: value, value }));

interface ColumnType {
	type: FieldType;
	options?: INodePropertyOptions[];
	/** What to write, when n8n's input does not say it (shown after the label). */
	hint?: string;
}

/** The n8n type of a writable descriptor, or undefined for the types the node cannot write. */
function columnType(descriptor: ChampDescriptor, purpose: 'annotation' | 'prefill'): ColumnType | undefined {
	switch (descriptor.__typename) {
		case 'TextChampDescriptor':
		case 'TextareaChampDescriptor':
		case 'EmailChampDescriptor':
		case 'FormattedChampDescriptor':
			return { type: 'string' };
		case 'PhoneChampDescriptor':
			return { type: 'string', hint: 'phone number' };
		case 'IbanChampDescriptor':
			return { type: 'string', hint: 'IBAN' };
		case 'CheckboxChampDescriptor':
		case 'YesNoChampDescriptor':
			return { type: 'boolean' };
		case 'DateChampDescriptor':
			return { type: 'dateTime', hint: 'date' };
		case 'DatetimeChampDescriptor':
			return { type: 'dateTime' };
		case 'IntegerNumberChampDescriptor':
		case 'DecimalNumberChampDescriptor':
			return { type: 'number' };
		case 'DropDownListChampDescriptor':
			// "Autre" lets the usager type any value: a free text then, with the options named.
			return descriptor.otherOption
				? { type: 'string', hint: `${(descriptor.options ?? []).join(', ')} or another value` }
				: { type: 'options', options: optionsOf(descriptor.options) };
		case 'MultipleDropDownListChampDescriptor':
			return { type: MULTI_OPTIONS, options: optionsOf(descriptor.options) };
		case 'CiviliteChampDescriptor':
			return { type: 'options', options: optionsOf(['M.', 'Mme']) };
		case 'PaysChampDescriptor':
			return { type: 'string', hint: purpose === 'prefill' ? 'country code, e.g. FR' : 'country code or name' };
		case 'RegionChampDescriptor':
			return { type: 'string', hint: purpose === 'prefill' ? 'région code, e.g. 53' : 'région code or name' };
		case 'DepartementChampDescriptor':
			return { type: 'string', hint: purpose === 'prefill' ? 'département code, e.g. 29' : 'département code or name' };
		case 'DossierLinkChampDescriptor':
			return { type: 'string', hint: 'dossier number' };
		case 'RepetitionChampDescriptor': {
			const children = descriptorKeys((descriptor.champDescriptors ?? []).filter((c) => !LAYOUT.has(c.__typename)));
			return { type: 'array', hint: `rows: [{${children.map((k) => `"${k}": …`).join(', ')}}]` };
		}
		case 'PieceJustificativeChampDescriptor':
			return purpose === 'annotation' ? { type: 'string', hint: 'input binary property, e.g. data' } : undefined;
		case 'CommuneChampDescriptor':
		case 'AddressChampDescriptor':
		case 'EpciChampDescriptor':
		case 'SiretChampDescriptor':
			return purpose === 'prefill' ? { type: 'string' } : undefined;
		default:
			return undefined;
	}
}

function column(
	key: string,
	descriptor: ChampDescriptor,
	kind: ColumnType | undefined,
	notWritable: string | undefined,
): ResourceMapperField {
	if (notWritable || !kind) {
		return {
			id: descriptor.id,
			displayName: `${key} (${typeLabel(descriptor)}: ${notWritable})`,
			type: 'string',
			required: false,
			defaultMatch: false,
			canBeUsedToMatch: false,
			display: true,
			readOnly: true,
			removed: true,
		};
	}
	return {
		id: descriptor.id,
		displayName: kind.hint ? `${key} (${kind.hint})` : key,
		type: kind.type,
		...(kind.options ? { options: kind.options } : {}),
		required: descriptor.required === true,
		defaultMatch: false,
		canBeUsedToMatch: false,
		display: true,
		// n8n shows a switch as off and sends false: a yes/no column starts out of the list (under
		// "Add annotation"), so adding it is the user's choice, and an untouched annotation is never
		// overwritten with false.
		...(kind.type === 'boolean' ? { removed: true } : {}),
	};
}

/**
 * The annotation columns. `serverKeys`: the AnnotationValueInput members the server knows (from
 * introspection); the types it lacks (older instances and forks, before PR #13561) are read-only.
 */
export function annotationColumns(annotations: ChampDescriptor[], serverKeys?: Set<string>): ResourceMapperField[] {
	const valued = annotations.filter((d) => !LAYOUT.has(d.__typename));
	const keys = descriptorKeys(valued);
	return valued.map((descriptor, index) => {
		const kind = columnType(descriptor, 'annotation');
		const valueKey = VALUE_KEY_BY_DESCRIPTOR[descriptor.__typename];
		let reason: string | undefined;
		if (!kind || !valueKey) reason = 'the API cannot write this type';
		else if (serverKeys && !serverKeys.has(valueKey)) {
			reason = 'this server cannot write this type (added to the platform in 2026, PR #13561)';
		}
		return column(keys[index], descriptor, kind, reason);
	});
}

/** The champ columns of Create Prefilled: the prefillable types; the others read-only. */
export function champColumns(champs: ChampDescriptor[]): ResourceMapperField[] {
	const valued = champs.filter((d) => !LAYOUT.has(d.__typename));
	const keys = descriptorKeys(valued);
	return valued.map((descriptor, index) => {
		const kind = columnType(descriptor, 'prefill');
		const reason = !kind || !PREFILLABLE.has(descriptor.__typename) ? 'the platform cannot prefill this type' : undefined;
		return column(keys[index], descriptor, kind, reason);
	});
}

/** Whether a mapped value was left empty (not written). */
export const isUnset = (value: unknown) =>
	value === undefined ||
	value === null ||
	(typeof value === 'string' && value.trim() === '') ||
	(Array.isArray(value) && value.length === 0);

/** The parts of a Luxon DateTime used here (n8n-workflow's Luxon; the node does not depend on it). */
interface LuxonLike {
	isLuxonDateTime?: boolean;
	zone?: { type?: string; equals?: (other: unknown) => boolean };
	toISO: (options: { includeOffset?: boolean }) => string;
	constructor: { local?: () => { zone?: unknown } };
}

/**
 * A value as n8n's resource mapper hands it over, for the node's converters. n8n parses a date
 * column into a Luxon DateTime, in Luxon's default zone when the text has no offset: such a
 * value becomes its wall-clock time again, read in the workflow's time zone like every other date
 * the node takes; a DateTime with its own zone keeps its instant.
 */
export function mappedValue(value: unknown): unknown {
	const luxon = value as LuxonLike | null;
	if (!luxon || typeof luxon !== 'object' || !luxon.isLuxonDateTime || typeof luxon.toISO !== 'function') return value;
	const defaultZone = luxon.constructor?.local?.().zone;
	const inDefaultZone = luxon.zone?.type === 'system' || (defaultZone !== undefined && luxon.zone?.equals?.(defaultZone) === true);
	return inDefaultZone ? luxon.toISO({ includeOffset: false }) : luxon.toISO({});
}
