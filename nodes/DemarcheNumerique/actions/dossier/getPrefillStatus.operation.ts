import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { prefillRequest } from '../../transport';
import { demarcheLocator } from '../common/locators';
import { readDemarche } from '../../resolve/demarche';
import type { OperationModule } from '../common/types';
import { showOnlyFor } from '../common/displayOptions';

export const description = showOnlyFor('dossier', 'getPrefillStatus', [
	{ ...demarcheLocator, description: 'The démarche the prefilled dossiers were created in' },
	{
		displayName: 'Prefill Tokens',
		name: 'prefillTokens',
		type: 'string',
		default: '',
		required: true,
		typeOptions: { password: true },
		placeholder: 'e.g. ={{ $json.prefillToken }}',
		description: 'Prefill tokens returned by Create Prefilled, separated by commas',
	},
]);

export const execute: OperationModule['execute'] = async function (this: IExecuteFunctions, itemIndex, cache) {
	const demarcheNumber = await readDemarche(this, itemIndex, cache);
	const raw = this.getNodeParameter('prefillTokens', itemIndex, '') as string | string[];
	const prefillTokens = (Array.isArray(raw) ? raw : String(raw ?? '').split(/[,;\s]+/))
		.map((token) => String(token).trim())
		.filter(Boolean);
	if (!prefillTokens.length) {
		throw new NodeOperationError(this.getNode(), 'No prefill token given', {
			itemIndex,
			description: 'Give the prefillToken values returned by Create Prefilled.',
		});
	}
	const response = await prefillRequest.call(this, { method: 'GET', demarcheNumber, prefillTokens, itemIndex });
	const list = Array.isArray(response) ? response : [response];
	return list.map((entry) => ({ json: entry as IDataObject }));
};
