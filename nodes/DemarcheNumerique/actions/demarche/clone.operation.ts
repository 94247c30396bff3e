import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { DEMARCHE_CLONER } from '../../graphql/mutations';
import { mutate } from '../../transport';
import { demarcheLocator } from '../common/locators';
import { readDemarche } from '../../resolve/demarche';
import type { OperationModule } from '../common/types';
import { showOnlyFor } from '../common/displayOptions';

export const description = showOnlyFor('demarche', 'clone', [
	{ ...demarcheLocator, description: 'The démarche to copy' },
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Title',
				name: 'title',
				type: 'string',
				default: '',
				description: 'The title of the copy (by default the platform reuses the original title)',
			},
		],
	},
]);

export const execute: OperationModule['execute'] = async function (this: IExecuteFunctions, itemIndex, cache) {
	const number = await readDemarche(this, itemIndex, cache);
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const input: IDataObject = { demarche: { number } };
	if (typeof options.title === 'string' && options.title.trim()) input.title = options.title.trim();
	const payload = await mutate.call(this, { ...DEMARCHE_CLONER, variables: { input } }, { itemIndex });
	return [{ json: { ...(payload.demarche as IDataObject), clonedFrom: number } }];
};
