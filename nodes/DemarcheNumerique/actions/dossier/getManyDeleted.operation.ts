import type { IDataObject, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { deletedDossiersDocument } from '../../graphql';
import { paginate } from '../../transport';
import { readDateTime, readLimit, returnAllAndLimit } from '../common/fields';
import { demarcheLocator, readDemarcheNumber } from '../common/locators';
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
		displayName: 'Include',
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
];

export const execute: OperationModule['execute'] = async function (itemIndex) {
	const demarche = readDemarcheNumber(this, itemIndex);
	const which = this.getNodeParameter('deletionKind', itemIndex, 'both') as 'both' | Kind;
	const since = this.getNodeParameter('deletedSince', itemIndex, '') as string;
	let remaining = readLimit(this, itemIndex);
	const variables: IDataObject = { demarche };
	if (since) variables.deletedSince = readDateTime(this, since, 'Deleted Since', itemIndex);

	const kinds: Kind[] = which === 'both' ? ['deletedDossiers', 'pendingDeletedDossiers'] : [which];
	const records: INodeExecutionData[] = [];
	for (const kind of kinds) {
		if (remaining !== undefined && remaining <= 0) break;
		const pages = paginate.call(this, {
			document: { ...deletedDossiersDocument(kind), variables },
			connection: (data: IDataObject) =>
				((data.demarche as IDataObject | null)?.[kind] ?? null) as never,
			nodesPath: ['demarche', kind, 'nodes'],
			limit: remaining,
			settings: { itemIndex },
		});
		for await (const page of pages) {
			for (const deleted of page.nodes as IDataObject[]) {
				records.push({
					json: {
						number: deleted.number,
						state: deleted.state,
						reason: deleted.reason,
						dateSupression: deleted.dateSupression,
						deleted: true,
						pendingDeletion: kind === 'pendingDeletedDossiers',
						id: deleted.id,
					},
				});
			}
			if (remaining !== undefined) remaining -= page.nodes.length + page.lost.length;
		}
	}
	return records;
};
