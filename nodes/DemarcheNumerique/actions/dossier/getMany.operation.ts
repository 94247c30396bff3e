import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { DossierFilters, DossierScope, LostDossier } from '../../output/dossierPages';
import { describeLostDossier, dossierPages } from '../../output/dossierPages';
import { dossierItems } from '../../output/items';
import {
	DOSSIER_STATE_OPTIONS,
	dossierPartsFields,
	keyByField,
	readDateTime,
	readDossierParts,
	readLimit,
	readLocatorNumber,
	readPageSize,
	readSimplifyOptions,
	listOptionsField,
	returnAllAndLimit,
	simplifyField,
} from '../common/fields';
import type { ExecutionCache } from '../../resolve/cache';
import { getDemarcheGroupes } from '../../resolve/instructeur';
import { apiError } from '../../transport';
import { demarcheLocator, groupeInstructeurLocator } from '../common/locators';
import { readDemarche } from '../../resolve/demarche';
import type { OperationModule } from '../common/types';

const show = { resource: ['dossier'], operation: ['getMany'] };

export const description: INodeProperties[] = [
	{
		...demarcheLocator,
		description: 'The démarche whose dossiers to list, by number or by its URL',
		displayOptions: { show },
	},
	...returnAllAndLimit(show),
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		displayOptions: { show },
		options: [
			{
				displayName: 'Archived',
				name: 'archived',
				type: 'boolean',
				default: false,
				description:
					'Whether to return only archived dossiers (on) or only dossiers that are not archived (off)',
			},
			{
				displayName: 'Created Since',
				name: 'createdSince',
				type: 'dateTime',
				default: '',
				description:
					'Only dossiers deposited at or after this time (a time without a time zone is read in the workflow\'s time zone). Ignored by the platform when "Updated Since" is set.',
			},
			{
				...groupeInstructeurLocator,
				required: false,
				description: 'Only dossiers of this groupe instructeur of the démarche',
			},
			{
				displayName: 'Revision ID',
				name: 'revision',
				type: 'string',
				default: '',
				description:
					'Only dossiers filled on this revision of the form (its global ID, as in Démarche > Get)',
			},
			{
				displayName: 'State',
				name: 'state',
				type: 'options',
				default: 'en_construction',
				options: DOSSIER_STATE_OPTIONS,
				description: 'Only dossiers in this state',
			},
			{
				displayName: 'Updated Since',
				name: 'updatedSince',
				type: 'dateTime',
				default: '',
				description:
					'Only dossiers modified at or after this time (a time without a time zone is read in the workflow\'s time zone). Results are then ordered by modification date.',
			},
		],
	},
	simplifyField(show),
	keyByField(show),
	...dossierPartsFields(show),
	listOptionsField(show, 'dossiers'),
];

function readFilters(
	this: IExecuteFunctions,
	itemIndex: number,
): { filters: DossierFilters; groupe?: number } {
	const raw = this.getNodeParameter('filters', itemIndex, {}) as IDataObject;
	const filters: DossierFilters = {};
	if (raw.state) filters.state = String(raw.state);
	if (typeof raw.archived === 'boolean') filters.archived = raw.archived;
	if (raw.createdSince)
		filters.createdSince = readDateTime(this, raw.createdSince, 'Created Since', itemIndex);
	if (raw.updatedSince)
		filters.updatedSince = readDateTime(this, raw.updatedSince, 'Updated Since', itemIndex);
	if (raw.revision) filters.revision = String(raw.revision).trim();
	const groupe = readLocatorNumber(this, raw.groupeInstructeur, 'Groupe instructeur', itemIndex);
	return { filters, groupe };
}

/** Error entry (continue-on-fail) or thrown error for dossiers the platform could not serialise. */
function lostDossierError(this: IExecuteFunctions, lost: LostDossier[], itemIndex: number) {
	const named = lost.map((l) => (l.number ? String(l.number) : `#${l.index + 1} of its page`));
	return apiError(this.getNode(), {
		message:
			lost.length === 1
				? describeLostDossier(lost[0])
				: `${lost.length} dossiers could not be read from the platform: ${named.join(', ')}`,
		description:
			'The platform failed to serialise these dossiers (a server-side bug on these records: report the numbers to its support). Turn on "Continue On Fail" to get the other dossiers, with one error item per dossier that failed.',
		code: lost[0].errors[0]?.extensions?.code,
		itemIndex,
	});
}

export const execute: OperationModule['execute'] = async function (itemIndex, cache) {
	const demarche = await readDemarche(this, itemIndex, cache);
	const { filters, groupe } = readFilters.call(this, itemIndex);
	const limit = readLimit(this, itemIndex);
	const pageSize = readPageSize(this, itemIndex);
	const simplify = this.getNodeParameter('simplify', itemIndex, true) as boolean;
	const parts = readDossierParts(this, itemIndex);
	const simplifyOptions = readSimplifyOptions(this, itemIndex);
	const scope: DossierScope = groupe
		? { kind: 'groupeInstructeur', number: groupe }
		: { kind: 'demarche', number: demarche };
	// Ordered by modification, a dossier edited during the walk moves behind the cursor and comes
	// back later in the same walk: keep its latest version only, and count it once toward the limit.
	const byModification = Boolean(filters.updatedSince);

	const records: Array<INodeExecutionData | null> = [];
	/** Position in `records` of each dossier number emitted (only when duplicates are possible). */
	const emitted = new Map<number, number>();
	let distinct = 0;
	const full = () => limit !== undefined && distinct >= limit;
	const lostOnes: LostDossier[] = [];
	const continueOnFail = this.continueOnFail();
	const flush = async (batch: IDataObject[]) => {
		const items = await dossierItems(this, cache, batch, simplify, itemIndex, simplifyOptions);
		items.forEach((item, i) => {
			if (byModification) {
				const number = Number(batch[i].number);
				const earlier = emitted.get(number);
				if (earlier !== undefined) records[earlier] = null;
				emitted.set(number, records.length);
			}
			records.push(item);
		});
	};
	for await (const entries of dossierPages.call(this, {
		scope,
		filters,
		parts,
		// With duplicates possible the node stops by itself once it has `limit` distinct dossiers.
		limit: byModification ? undefined : limit,
		pageSize,
		itemIndex,
	})) {
		const batch: IDataObject[] = [];
		const inBatch = new Set<number>();
		for (const entry of entries) {
			if ('dossier' in entry) {
				const number = Number(entry.dossier.number);
				const again = byModification && (emitted.has(number) || inBatch.has(number));
				if (!again) {
					if (full()) break;
					distinct++;
				}
				inBatch.add(number);
				batch.push(entry.dossier);
				continue;
			}
			if (full()) break;
			// Keep the platform's order: flush the good ones before the error entry.
			await flush(batch.splice(0));
			lostOnes.push(entry.lost);
			distinct++;
			if (continueOnFail) {
				const error = lostDossierError.call(this, [entry.lost], itemIndex);
				records.push({
					json: {
						error: error.message,
						description: error.description ?? null,
						dossierNumber: entry.lost.number,
					},
				});
			}
		}
		await flush(batch);
		if (full()) break;
	}
	if (lostOnes.length && !continueOnFail) throw lostDossierError.call(this, lostOnes, itemIndex);
	const items = records.filter((item): item is INodeExecutionData => item !== null);
	if (groupe && !items.length)
		await assertGroupeOfDemarche.call(this, cache, demarche, groupe, itemIndex);
	return items;
};

/**
 * The groupe connection does not say which démarche the groupe belongs to: when it returns
 * nothing, check the pairing so a groupe of another démarche does not read as "no dossiers".
 */
async function assertGroupeOfDemarche(
	this: IExecuteFunctions,
	cache: ExecutionCache,
	demarche: number,
	groupe: number,
	itemIndex: number,
) {
	const groupes = await getDemarcheGroupes(this, cache, demarche, itemIndex);
	if (!groupes.some((g) => Number(g.number) === groupe)) {
		throw new NodeOperationError(
			this.getNode(),
			`Groupe instructeur ${groupe} is not a groupe of démarche ${demarche}`,
			{
				itemIndex,
				description:
					'Pick the groupe from the list, which shows the groupes of the chosen démarche.',
			},
		);
	}
}
