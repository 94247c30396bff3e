import type { IDataObject, INodeProperties } from 'n8n-workflow';

import type { DemarcheParts } from '../../graphql';
import { ALL_DEMARCHE_PARTS, getDemarcheDocument } from '../../graphql';
import type { ChampDescriptor } from '../../resolve/descriptors';
import { descriptorType } from '../../resolve/descriptors';
import { graphqlRequest } from '../../transport';
import { demarcheLocator } from '../common/locators';
import { readDemarche } from '../../resolve/demarche';
import type { OperationModule } from '../common/types';

const show = { resource: ['demarche'], operation: ['get'] };

export const description: INodeProperties[] = [
	{ ...demarcheLocator, displayOptions: { show } },
	{
		displayName: 'Include',
		name: 'include',
		type: 'collection',
		placeholder: 'Add Part',
		default: {},
		description: 'Parts of the démarche to fetch (all by default)',
		displayOptions: { show: { ...show, '@version': [1] } },
		options: [
			{
				displayName: 'Form Description',
				name: 'descriptors',
				type: 'boolean',
				default: true,
				description:
					'Whether to include the champs and annotations of the active revision (label, type, required, list options, repetition children)',
			},
			{
				displayName: 'Groupes Instructeurs',
				name: 'groupeInstructeurs',
				type: 'boolean',
				default: true,
				description: 'Whether to include the groupes instructeurs with their instructeurs',
			},
			{
				displayName: 'Labels',
				name: 'labels',
				type: 'boolean',
				default: true,
				description: 'Whether to include the labels instructeurs can put on dossiers',
			},
			{
				displayName: 'Service',
				name: 'service',
				type: 'boolean',
				default: true,
				description: 'Whether to include the administration running the démarche',
			},
		],
	},
	{
		displayName: 'Include',
		name: 'include',
		type: 'multiOptions',
		default: ['descriptors', 'groupeInstructeurs', 'labels', 'service'],
		description: 'Parts of the démarche to fetch (number, title, state and dates always come)',
		displayOptions: { show: { ...show, '@version': [2] } },
		options: [
			{
				name: 'Form Description',
				value: 'descriptors',
				description:
					'The champs and annotations of the active revision (label, type, required, list options, repetition children)',
			},
			{
				name: 'Groupes Instructeurs',
				value: 'groupeInstructeurs',
				description: 'The groupes instructeurs with their instructeurs',
			},
			{ name: 'Labels', value: 'labels', description: 'The labels instructeurs can put on dossiers' },
			{ name: 'Service', value: 'service', description: 'The administration running the démarche' },
		],
	},
];

/** A descriptor as shown to users: its platform type in words, without GraphQL's typename. */
function describeField(descriptor: ChampDescriptor): IDataObject {
	const out: IDataObject = {
		id: descriptor.id,
		label: descriptor.label,
		type: descriptorType(descriptor),
		required: descriptor.required ?? false,
		description: descriptor.description ?? null,
	};
	if (descriptor.options) out.options = descriptor.options;
	if (descriptor.otherOption !== undefined && descriptor.otherOption !== null)
		out.otherOption = descriptor.otherOption;
	if (descriptor.level !== undefined && descriptor.level !== null) out.level = descriptor.level;
	if (descriptor.champDescriptors) out.children = descriptor.champDescriptors.map(describeField);
	return out;
}

export const execute: OperationModule['execute'] = async function (itemIndex, cache) {
	const number = await readDemarche(this, itemIndex, cache);
	const include = this.getNodeParameter('include', itemIndex, {}) as IDataObject | string[];
	const parts = { ...ALL_DEMARCHE_PARTS };
	for (const key of Object.keys(parts) as Array<keyof DemarcheParts>) {
		// Version 2: the parts selected; version 1: its switches, the others on.
		if (Array.isArray(include)) parts[key] = include.includes(key);
		else if (typeof include[key] === 'boolean') parts[key] = include[key] as boolean;
	}
	const { data } = await graphqlRequest.call(
		this,
		{ ...getDemarcheDocument(parts), variables: { number } },
		{ intent: 'read', itemIndex },
	);
	const demarche = (data as IDataObject | null)?.demarche as IDataObject | null;
	if (!demarche) return [];
	const { activeRevision, ...rest } = demarche;
	const json: IDataObject = { ...rest };
	if (activeRevision) {
		const revision = activeRevision as IDataObject;
		json.activeRevision = { id: revision.id, datePublication: revision.datePublication ?? null };
		json.champDescriptors = ((revision.champDescriptors ?? []) as ChampDescriptor[]).map(
			describeField,
		);
		json.annotationDescriptors = ((revision.annotationDescriptors ?? []) as ChampDescriptor[]).map(
			describeField,
		);
	}
	return [{ json }];
};
