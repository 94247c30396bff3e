import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { getDossierDocument } from '../../graphql';
import { dossierItems } from '../../output/items';
import { graphqlRequest } from '../../transport';
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
	const { data } = await graphqlRequest.call(
		this,
		{ ...getDossierDocument(parts), variables: { number } },
		{ intent: 'read', itemIndex },
	);
	const dossier = (data as IDataObject | null)?.dossier as IDataObject | null;
	return await dossierItems(this, cache, dossier ? [dossier] : [], simplify, itemIndex);
};
