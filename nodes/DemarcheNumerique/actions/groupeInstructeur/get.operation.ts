import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { GET_GROUPE_INSTRUCTEUR } from '../../graphql';
import { graphqlRequest } from '../../transport';
import { demarcheLocator, groupeInstructeurLocator, readGroupeNumber } from '../common/locators';
import type { OperationModule } from '../common/types';

const show = { resource: ['groupeInstructeur'], operation: ['get'] };

/** The démarche only helps pick the groupe from a list: it may stay empty. */
const optionalDemarche: INodeProperties = {
	...demarcheLocator,
	required: false,
	description: 'The démarche of the groupe, only used to list its groupes in "From List"; may stay empty',
	modes: (demarcheLocator.modes ?? []).map((mode) =>
		mode.name === 'id'
			? {
					...mode,
					validation: [
						{
							type: 'regex',
							properties: { regex: '^\\s*\\d*\\s*$', errorMessage: 'A démarche number has only digits' },
						},
					],
				}
			: mode,
	),
	displayOptions: { show },
};

export const description: INodeProperties[] = [
	optionalDemarche,
	{ ...groupeInstructeurLocator, displayOptions: { show } },
];

export const execute: OperationModule['execute'] = async function (itemIndex) {
	const number = readGroupeNumber(this, itemIndex);
	const { data } = await graphqlRequest.call(
		this,
		{ ...GET_GROUPE_INSTRUCTEUR, variables: { number } },
		{ itemIndex },
	);
	const groupe = (data as IDataObject | null)?.groupeInstructeur as IDataObject | null;
	return groupe ? [{ json: groupe }] : [];
};
