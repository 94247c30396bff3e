import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { GROUPE_INSTRUCTEUR_MODIFIER } from '../../graphql/mutations';
import { mutate } from '../../transport';
import { globalId } from '../../resolve/globalIds';
import { groupeInstructeurLocator, optionalDemarcheLocator, readGroupeNumber } from '../common/locators';
import type { OperationModule } from '../common/types';
import { showOnlyFor } from '../common/displayOptions';
import { groupeOutput } from './groupeMutation';

export const description = showOnlyFor('groupeInstructeur', 'update', [
	optionalDemarcheLocator,
	groupeInstructeurLocator,
	{
		displayName: 'Update Fields',
		name: 'updateFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		options: [
			{
				displayName: 'Closed',
				name: 'closed',
				type: 'boolean',
				default: false,
				description: 'Whether the groupe is closed: usagers cannot choose it for new dossiers',
			},
			{
				displayName: 'Label',
				name: 'label',
				type: 'string',
				default: '',
				description: 'The new name of the groupe instructeur',
			},
		],
	},
]);

export const execute: OperationModule['execute'] = async function (this: IExecuteFunctions, itemIndex) {
	const groupeInstructeurId = globalId('GroupeInstructeur', readGroupeNumber(this, itemIndex));
	const fields = this.getNodeParameter('updateFields', itemIndex, {}) as IDataObject;
	const input: IDataObject = { groupeInstructeurId };
	if (typeof fields.label === 'string' && fields.label.trim()) input.label = fields.label.trim();
	if (typeof fields.closed === 'boolean') input.closed = fields.closed;
	if (Object.keys(input).length === 1) {
		throw new NodeOperationError(this.getNode(), 'Nothing to update', {
			itemIndex,
			description: 'Add a field to change under Update Fields (Label or Closed).',
		});
	}
	const payload = await mutate.call(this, { ...GROUPE_INSTRUCTEUR_MODIFIER, variables: { input } }, { itemIndex });
	return [{ json: groupeOutput(payload) }];
};
