import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { GET_GROUPE_INSTRUCTEUR } from '../../graphql';
import { graphqlRequest } from '../../transport';
import { groupeInstructeurLocator, optionalDemarcheLocator, readGroupeNumber } from '../common/locators';
import type { OperationModule } from '../common/types';

const show = { resource: ['groupeInstructeur'], operation: ['get'] };

export const description: INodeProperties[] = [
	{ ...optionalDemarcheLocator, displayOptions: { show } },
	{ ...groupeInstructeurLocator, displayOptions: { show } },
];

export const execute: OperationModule['execute'] = async function (itemIndex) {
	const number = readGroupeNumber(this, itemIndex);
	const { data } = await graphqlRequest.call(
		this,
		{ ...GET_GROUPE_INSTRUCTEUR, variables: { number } },
		{ intent: 'read', itemIndex },
	);
	const groupe = (data as IDataObject | null)?.groupeInstructeur as IDataObject | null;
	return groupe ? [{ json: groupe }] : [];
};
