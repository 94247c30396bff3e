import type { INodeProperties } from 'n8n-workflow';

import { dossierItems, fetchDossier } from '../../output/items';
import { dossierPartsFields, keyByField, readDossierParts, readSimplifyOptions, simplifyField } from '../common/fields';
import { dossierLocator, readDossierNumber } from '../common/locators';
import type { OperationModule } from '../common/types';

const show = { resource: ['dossier'], operation: ['get'] };

export const description: INodeProperties[] = [
	{ ...dossierLocator, displayOptions: { show } },
	simplifyField(show),
	keyByField(show),
	...dossierPartsFields(show),
];

export const execute: OperationModule['execute'] = async function (itemIndex, cache) {
	const number = readDossierNumber(this, itemIndex);
	const parts = readDossierParts(this, itemIndex);
	const simplify = this.getNodeParameter('simplify', itemIndex, true) as boolean;
	const dossier = await fetchDossier(this, number, parts, { itemIndex });
	const options = readSimplifyOptions(this, itemIndex);
	return await dossierItems(this, cache, dossier ? [dossier] : [], simplify, itemIndex, options);
};
