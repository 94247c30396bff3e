import type { INodeProperties } from 'n8n-workflow';

import { dossierItems, fetchDossier } from '../../output/items';
import { dossierPartsField, readDossierParts, simplifyField } from '../common/fields';
import { dossierLocator, readDossierNumber } from '../common/locators';
import type { OperationModule } from '../common/types';

const show = { resource: ['dossier'], operation: ['get'] };

export const description: INodeProperties[] = [
	{ ...dossierLocator, displayOptions: { show } },
	simplifyField(show),
	dossierPartsField(show),
];

export const execute: OperationModule['execute'] = async function (itemIndex, cache) {
	const number = readDossierNumber(this, itemIndex);
	const parts = readDossierParts(this, itemIndex);
	const simplify = this.getNodeParameter('simplify', itemIndex, true) as boolean;
	const dossier = await fetchDossier(this, number, parts, { itemIndex });
	return await dossierItems(this, cache, dossier ? [dossier] : [], simplify, itemIndex);
};
