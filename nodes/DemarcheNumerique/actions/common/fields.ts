import type { IDataObject, IExecuteFunctions, INode, INodeProperties, INodePropertyOptions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { DossierParts, DossierState } from '../../graphql';
import { DOSSIER_STATES, PAGE_SIZE } from '../../graphql';
import type { KeyBy, SimplifyOptions } from '../../output/simplify';
import type { Show } from './displayOptions';
import { userDateTime, userDateTimeOrAsGiven } from '../../resolve/dates';
import { locatorText, parseNumber } from './locators';

const STATE_NAMES: Record<DossierState, { name: string; description?: string }> = {
	en_construction: { name: 'En Construction', description: 'Deposited, the usager can still edit it' },
	en_instruction: { name: 'En Instruction', description: 'Being examined by the instructeurs' },
	accepte: { name: 'Accepté' },
	refuse: { name: 'Refusé' },
	sans_suite: { name: 'Sans Suite', description: 'Closed without follow-up' },
};

/** Every dossier state as an option (State filter of Get Many, States of the trigger), sorted by name. */
export const DOSSIER_STATE_OPTIONS: INodePropertyOptions[] = DOSSIER_STATES.map((value) => ({
	...STATE_NAMES[value],
	value,
})).sort((a, b) => a.name.localeCompare(b.name));

export function returnAllAndLimit(show: Show): INodeProperties[] {
	return [
		{
			displayName: 'Return All',
			name: 'returnAll',
			type: 'boolean',
			default: false,
			description: 'Whether to return all results or only up to a given limit',
			displayOptions: { show },
		},
		{
			displayName: 'Limit',
			name: 'limit',
			type: 'number',
			default: 50,
			typeOptions: { minValue: 1 },
			description: 'Max number of results to return',
			displayOptions: { show: { ...show, returnAll: [false] } },
		},
	];
}

export function simplifyField(show: Show): INodeProperties {
	return {
		displayName: 'Simplify',
		name: 'simplify',
		type: 'boolean',
		default: true,
		description:
			'Whether to return a flat dossier with typed champs and annotations keyed by label instead of the raw API response',
		displayOptions: { show },
	};
}

/** A binary property name option (justificatif, attachment): the file is uploaded to the platform. */
export function binaryPropertyOption(name: string, displayName: string, what: string): INodeProperties {
	return {
		displayName,
		name,
		type: 'string',
		default: 'data',
		placeholder: 'e.g. data',
		hint: 'The name of the input binary property holding the file',
		description: `Name of the input item's binary property to upload as the ${what}`,
	};
}

/** The `include` collection of version 1: which parts of a dossier to fetch (each trims the payload). */
export function dossierPartsField(show: Show): INodeProperties {
	return {
		displayName: 'Include',
		name: 'include',
		type: 'collection',
		placeholder: 'Add Part',
		default: {},
		description: 'Parts of each dossier to fetch. Fewer parts make requests faster and lighter.',
		displayOptions: { show },
		options: [
			{
				displayName: 'Annotations',
				name: 'annotations',
				type: 'boolean',
				default: true,
				description: 'Whether to include the private annotations written by instructeurs',
			},
			{
				displayName: 'Avis',
				name: 'avis',
				type: 'boolean',
				default: false,
				description: 'Whether to include the expert opinions (avis)',
			},
			{
				displayName: 'Champs',
				name: 'champs',
				type: 'boolean',
				default: true,
				description: 'Whether to include the form fields filled by the usager',
			},
			{
				displayName: 'Files (Attestation, PDF)',
				name: 'files',
				type: 'boolean',
				default: true,
				description:
					'Whether to include signed links to the attestation, the decision justificatif, the PDF export and the GeoJSON export',
			},
			{
				displayName: 'Geometry',
				name: 'geometry',
				type: 'boolean',
				default: false,
				description: 'Whether to include the GeoJSON geometry of map champs (can be large)',
			},
			{
				displayName: 'Instructeurs',
				name: 'instructeurs',
				type: 'boolean',
				default: true,
				description: 'Whether to include the instructeurs following the dossier',
			},
			{
				displayName: 'Labels',
				name: 'labels',
				type: 'boolean',
				default: true,
				description: 'Whether to include the labels put on the dossier',
			},
			{
				displayName: 'Messages',
				name: 'messages',
				type: 'boolean',
				default: false,
				description: 'Whether to include the messages exchanged with the usager',
			},
			{
				displayName: 'Traitements',
				name: 'traitements',
				type: 'boolean',
				default: false,
				description: 'Whether to include the history of decisions',
			},
		],
	};
}

/**
 * Every part of a dossier the node can fetch, and whether it is fetched when nothing is said: read
 * from version 1's collection, so both versions share one list of parts and defaults.
 */
const DOSSIER_PARTS = (dossierPartsField({}).options as INodeProperties[]).map((option) => ({
	name: option.displayName,
	value: option.name as keyof DossierParts,
	byDefault: option.default === true,
	description: String(option.description ?? '').replace(/^Whether to include t/, 'T'),
}));

/**
 * `include` of version 2: a multi-select whose defaults are shown selected (version 1's collection
 * showed switches that were on but meant nothing until added).
 */
export function dossierPartsMultiSelect(show: Show): INodeProperties {
	return {
		displayName: 'Include',
		name: 'include',
		type: 'multiOptions',
		// The parts version 1 fetched by default (a unit test checks they match).
		default: ['annotations', 'champs', 'files', 'instructeurs', 'labels'],
		description:
			'Parts of each dossier to fetch (number, state, dates, démarche, groupe, demandeur, usager and motivation always come). Fewer parts make requests faster and lighter.',
		displayOptions: { show },
		options: DOSSIER_PARTS.map((part) => ({
			name: part.name,
			value: part.value,
			description: part.description,
		})),
	};
}

/**
 * Both shapes of `include`: version 1's collection and version 2's multi-select, each shown for
 * its node version only (saved workflows keep the one they were built with).
 */
export function dossierPartsFields(show: Show): INodeProperties[] {
	return [
		dossierPartsField({ ...show, '@version': [1] }),
		dossierPartsMultiSelect({ ...show, '@version': [2] }),
	];
}

/**
 * `include` as DossierParts, from either shape: the multi-select's list (a part is fetched when
 * selected), or the collection's switches (a part left out takes its default). One source of
 * truth for every node that offers the field.
 */
export function dossierPartsFrom(values: IDataObject | string[] | string | null | undefined): DossierParts {
	const parts = {} as DossierParts;
	if (Array.isArray(values) || typeof values === 'string') {
		// An expression may give a list or a comma-separated text.
		const chosen = new Set(
			(Array.isArray(values) ? values : values.split(',')).map((value) => String(value).trim()),
		);
		for (const part of DOSSIER_PARTS) parts[part.value] = chosen.has(part.value);
		return parts;
	}
	for (const part of DOSSIER_PARTS) {
		const value = values?.[part.value];
		parts[part.value] = typeof value === 'boolean' ? value : part.byDefault;
	}
	return parts;
}

/** Reads the `include` field of an item (either shape) into DossierParts. */
export function readDossierParts(ctx: IExecuteFunctions, itemIndex: number): DossierParts {
	return dossierPartsFrom(ctx.getNodeParameter('include', itemIndex, {}) as IDataObject | string[]);
}

/**
 * `keyBy` of a simplified dossier: champs and annotations keyed by label (as the platform shows
 * them) or by their stable champ ID (the descriptor's ID), which survives a reworded form.
 */
export function keyByField(show: Show): INodeProperties {
	return {
		displayName: 'Key By',
		name: 'keyBy',
		type: 'options',
		default: 'label',
		description: 'How to name champs and annotations in the simplified dossier',
		displayOptions: { show: { ...show, simplify: [true] } },
		options: [
			{
				name: 'Label',
				value: 'label',
				description:
					'The label the form shows (a repeated label gets " (2)", " (3)"…). Expressions break if an administrateur rewords it.',
			},
			{
				name: 'Stable Champ ID',
				value: 'id',
				description:
					'The champ\'s ID in the form (as listed by Démarche > Get), which does not change when the label is reworded',
			},
		],
	};
}

/** The simplified dossier's options of an item (Key By). */
export function readSimplifyOptions(ctx: IExecuteFunctions, itemIndex: number): SimplifyOptions {
	return { keyBy: keyByFrom(ctx.getNodeParameter('keyBy', itemIndex, 'label')) };
}

/** `keyBy` read from a value: anything but `id` is the label (the default and older workflows). */
export function keyByFrom(value: unknown): KeyBy {
	return value === 'id' ? 'id' : 'label';
}

/** The `options` collection of a list operation: Page Size. */
export function listOptionsField(show: Show, what: string): INodeProperties {
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show },
		options: [pageSizeOption(what)],
	};
}

/** `options.pageSize` of a list operation: records per request, which the node halves on a platform timeout. */
function pageSizeOption(what: string): INodeProperties {
	return {
		displayName: 'Page Size',
		name: 'pageSize',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: PAGE_SIZE },
		default: PAGE_SIZE,
		description: `How many ${what} to ask per request (at most ${PAGE_SIZE}). When the platform times out (30 s) on a page, the node asks it again at half the size, and grows back on light pages; a lower start saves those timeouts when pages are known to be heavy.`,
	};
}

/** `options.pageSize` of an item, checked (1 to 100); undefined when not set. */
export function readPageSize(ctx: IExecuteFunctions, itemIndex: number): number | undefined {
	const options = ctx.getNodeParameter('options', itemIndex, {}) as IDataObject;
	if (options.pageSize === undefined || options.pageSize === null || options.pageSize === '') return undefined;
	const size = Number(options.pageSize);
	if (!Number.isInteger(size) || size < 1 || size > PAGE_SIZE) {
		throw new NodeOperationError(ctx.getNode(), `Page Size ${String(options.pageSize)} is not a whole number from 1 to ${PAGE_SIZE}`, {
			itemIndex,
			description: `The platform serves at most ${PAGE_SIZE} records per request: set Page Size between 1 and ${PAGE_SIZE}.`,
		});
	}
	return size;
}

/** The `limit` to pass on: undefined with Return All. */
export function readLimit(ctx: IExecuteFunctions, itemIndex: number): number | undefined {
	if (ctx.getNodeParameter('returnAll', itemIndex, false) as boolean) return undefined;
	const limit = Number(ctx.getNodeParameter('limit', itemIndex, 50));
	if (!Number.isInteger(limit) || limit < 1) {
		throw new NodeOperationError(ctx.getNode(), `Limit ${limit} is not a positive whole number`, {
			itemIndex,
			description: 'Set Limit to 1 or more, or turn on Return All.',
		});
	}
	return limit;
}

/**
 * An ISO 8601 date-time for the API from a date parameter. n8n's date picker gives local times
 * without a zone: they are read in the workflow's time zone, as n8n's own nodes do, and sent
 * with its offset (the platform would read a bare time in its own process zone).
 */
export function readDateTime(
	ctx: IExecuteFunctions,
	value: unknown,
	name: string,
	itemIndex: number,
): string {
	try {
		return userDateTime(value, ctx.getTimezone());
	} catch {
		throw new NodeOperationError(ctx.getNode(), `${name} "${String(value ?? '').trim()}" is not a date`, {
			itemIndex,
			description: `Use an ISO 8601 date or date-time, e.g. 2025-01-31 or 2025-01-31T08:00 (read in the workflow's time zone, ${ctx.getTimezone()}) or 2025-01-31T08:00:00Z.`,
		});
	}
}

/**
 * The number in a resource locator value found inside a collection (n8n only extracts values of
 * top-level locators): `{__rl, mode, value}`, a number or a string of digits. Undefined when empty.
 */
export function readLocatorNumber(
	ctx: IExecuteFunctions,
	locator: unknown,
	what: string,
	itemIndex: number,
): number | undefined {
	const text = locatorText(locator);
	if (!text) return undefined;
	return parseNumber(
		ctx.getNode(),
		text,
		what,
		`Pick the ${what.toLowerCase()} from the list, or enter its number (digits only).`,
		itemIndex,
	);
}

/**
 * The polling trigger's Start Date as the sync reads it (a date-time with its offset; without a
 * zone, in the workflow's time zone); a value that is no date is an error saying what to enter.
 */
export function triggerStartDate(node: INode, value: unknown, timeZone: string): string {
	const date = userDateTimeOrAsGiven(value, timeZone);
	if (Number.isFinite(Date.parse(date))) return date;
	throw new NodeOperationError(node, `Start Date "${String(value ?? '').trim()}" is not a date`, {
		description: `Pick a date, or use an ISO 8601 date or date-time, e.g. 2025-01-31 or 2025-01-31T08:00 (read in the workflow's time zone, ${timeZone}).`,
	});
}

/**
 * The version-2 `columns` parameter of Update Annotations and Create Prefilled: n8n's resource
 * mapper over the démarche's form, keyed by champ ID. Mode 'map': required columns are marked, not
 * enforced (the platform checks them at submission or decision, not at the write).
 */
export function formColumnsField(field: {
	displayName: string;
	method: 'getAnnotationColumns' | 'getChampColumns';
	valuesLabel: string;
	singular: string;
	plural: string;
	description: string;
}): INodeProperties {
	return {
		displayName: field.displayName,
		name: 'columns',
		type: 'resourceMapper',
		noDataExpression: true,
		default: { mappingMode: 'defineBelow', value: null },
		required: true,
		displayOptions: { show: { '@version': [2] } },
		typeOptions: {
			loadOptionsDependsOn: ['demarche.value'],
			resourceMapper: {
				resourceMapperMethod: field.method,
				mode: 'map',
				valuesLabel: field.valuesLabel,
				fieldWords: { singular: field.singular, plural: field.plural },
				addAllFields: true,
				multiKeyMatch: false,
				supportAutoMap: false,
			},
		},
		description: field.description,
	};
}
