import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { deletedDossiersDocument } from '../../graphql';
import { deletedDossierJson } from '../../output/items';
import type { RecordErrors } from '../../transport';
import { apiError, getDnCredentials, paginate, rootErrorsToApiError } from '../../transport';
import { listOptionsField, readDateTime, readLimit, readPageSize, returnAllAndLimit } from '../common/fields';
import { demarcheLocator } from '../common/locators';
import { readDemarche } from '../../resolve/demarche';
import type { OperationModule } from '../common/types';

const show = { resource: ['dossier'], operation: ['getManyDeleted'] };

type Kind = 'deletedDossiers' | 'pendingDeletedDossiers';

export const description: INodeProperties[] = [
	{
		...demarcheLocator,
		description: 'The démarche whose deleted dossiers to list, by number or by its URL',
		displayOptions: { show },
	},
	{
		displayName: 'Deletions',
		name: 'deletionKind',
		type: 'options',
		default: 'both',
		displayOptions: { show },
		options: [
			{
				name: 'Deleted and Pending Deletion',
				value: 'both',
				description: 'Both lists, deleted first',
			},
			{
				name: 'Deleted Only',
				value: 'deletedDossiers',
				description: 'Dossiers purged from the platform (they cannot be read any more)',
			},
			{
				name: 'Pending Deletion Only',
				value: 'pendingDeletedDossiers',
				description: 'Dossiers hidden by the usager or the administration, still restorable',
			},
		],
		description: 'Which deletions to list',
	},
	{
		displayName: 'Deleted Since',
		name: 'deletedSince',
		type: 'dateTime',
		default: '',
		displayOptions: { show },
		description:
			'Only dossiers deleted at or after this time (a time without a time zone is read in the workflow\'s time zone); empty for all',
	},
	...returnAllAndLimit(show),
	listOptionsField(show, 'deleted dossiers'),
];

/** What to do when even one record per request times out (the platform's deletion lists have no index: PR #14047). */
const DELETED_TIMEOUT_ADVICE =
	'Even one record per request took the platform more than 30 seconds: its deletion lists are slow on big démarches. Retry later, or narrow the list with Deleted Since.';

/** A record of a deletion list the platform could not serialise (null in the page). */
interface LostRecord extends RecordErrors {
	kind: Kind;
}

function lostRecordError(this: IExecuteFunctions, lost: LostRecord[], itemIndex: number) {
	const what = (record: LostRecord) =>
		`the record at position ${record.index + 1} of its page of ${record.kind === 'pendingDeletedDossiers' ? 'pending deletions' : 'deleted dossiers'}`;
	const why = lost[0].errors[0]?.message ? `: ${lost[0].errors[0].message}` : '';
	return apiError(this.getNode(), {
		message:
			lost.length === 1
				? `The platform could not serialise ${what(lost[0])}${why}`
				: `${lost.length} records of the deletion lists could not be read from the platform: ${lost.map(what).join(', ')}`,
		description:
			'The platform failed to serialise these records (a server-side bug: report it to its support). Turn on "Continue On Fail" to get the other records, with one error item per record that failed.',
		code: lost[0].errors[0]?.extensions?.code,
		itemIndex,
	});
}

export const execute: OperationModule['execute'] = async function (itemIndex, cache) {
	const demarche = await readDemarche(this, itemIndex, cache);
	const which = this.getNodeParameter('deletionKind', itemIndex, 'both') as 'both' | Kind;
	const since = this.getNodeParameter('deletedSince', itemIndex, '') as string;
	let remaining = readLimit(this, itemIndex);
	const pageSize = readPageSize(this, itemIndex);
	const variables: IDataObject = { demarche };
	if (since) variables.deletedSince = readDateTime(this, since, 'Deleted Since', itemIndex);

	const kinds: Kind[] = which === 'both' ? ['deletedDossiers', 'pendingDeletedDossiers'] : [which];
	const records: INodeExecutionData[] = [];
	const lostOnes: LostRecord[] = [];
	const continueOnFail = this.continueOnFail();
	for (const kind of kinds) {
		if (remaining !== undefined && remaining <= 0) break;
		const pages = paginate.call(this, {
			document: { ...deletedDossiersDocument(kind), variables },
			connection: (data: IDataObject) =>
				((data.demarche as IDataObject | null)?.[kind] ?? null) as never,
			nodesPath: ['demarche', kind, 'nodes'],
			limit: remaining,
			pageSize,
			timeoutAdvice: DELETED_TIMEOUT_ADVICE,
			settings: { itemIndex },
			// Read to the end (or the limit): the next page is asked while this one arrives.
			prefetch: true,
		});
		for await (const page of pages) {
			// An error tied to no record (or inside one): the page cannot be trusted whole.
			if (page.errors.length) {
				const { baseUrl, token } = await getDnCredentials(this);
				throw rootErrorsToApiError(this.getNode(), page.errors, baseUrl, token, itemIndex);
			}
			const lostAt = new Map(page.lost.map((record) => [record.index, record.errors]));
			let next = 0;
			for (let index = 0; index < page.nodes.length + page.lost.length; index++) {
				const errors = lostAt.get(index);
				if (errors) {
					// Never dropped silently: an error item, or the item's error at the end.
					const lost = { kind, index, errors };
					lostOnes.push(lost);
					if (continueOnFail) {
						const error = lostRecordError.call(this, [lost], itemIndex);
						records.push({
							json: {
								error: error.message,
								description: error.description ?? null,
								pendingDeletion: kind === 'pendingDeletedDossiers',
							},
						});
					}
					continue;
				}
				const deleted = page.nodes[next++] as IDataObject;
				records.push({ json: deletedDossierJson(deleted, kind === 'pendingDeletedDossiers') });
			}
			if (remaining !== undefined) remaining -= page.nodes.length + page.lost.length;
		}
	}
	if (lostOnes.length && !continueOnFail) throw lostRecordError.call(this, lostOnes, itemIndex);
	return records;
};
