import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { GROUPE_INSTRUCTEUR_CREER } from '../../graphql/mutations';
import { mutate } from '../../transport';
import { demarcheLocator } from '../common/locators';
import { readDemarche } from '../../resolve/demarche';
import type { OperationModule } from '../common/types';
import { showOnlyFor } from '../common/displayOptions';
import { groupeOutput, readProfiles } from './groupeMutation';

export const description = showOnlyFor('groupeInstructeur', 'create', [
	demarcheLocator,
	{
		displayName: 'Label',
		name: 'label',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. Service instructeur Nord',
		description: 'The name of the new groupe instructeur (unique in the démarche)',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
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
				displayName: 'Instructeurs',
				name: 'instructeurs',
				type: 'string',
				default: '',
				placeholder: 'e.g. agent@example.gouv.fr, autre@example.gouv.fr',
				description: 'E-mails of the instructeurs to put in the groupe, separated by commas or new lines',
			},
		],
	},
]);

export const execute: OperationModule['execute'] = async function (this: IExecuteFunctions, itemIndex, cache) {
	const number = await readDemarche(this, itemIndex, cache);
	const label = String(this.getNodeParameter('label', itemIndex, '') ?? '').trim();
	if (!label) {
		throw new NodeOperationError(this.getNode(), 'The groupe instructeur needs a label', {
			itemIndex,
			description: 'Fill in the Label parameter with the groupe\'s name.',
		});
	}
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const groupeInstructeur: IDataObject = { label, closed: options.closed === true };
	if (options.instructeurs) groupeInstructeur.instructeurs = readProfiles(this, itemIndex, 'options.instructeurs');
	const payload = await mutate.call(
		this,
		{ ...GROUPE_INSTRUCTEUR_CREER, variables: { input: { demarche: { number }, groupeInstructeur } } },
		{ itemIndex },
	);
	return [{ json: groupeOutput(payload) }];
};
