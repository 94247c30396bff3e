import type { IDataObject } from 'n8n-workflow';

import { DOSSIER_CHANGER_GROUPE } from '../../graphql/mutations';
import { mutate } from '../../transport';
import { globalId } from '../../resolve/globalIds';
import { groupeInstructeurLocator, readGroupeNumber } from '../common/locators';
import { dossierMutation } from './dossierMutation';

export const { description, execute } = dossierMutation({
	operation: 'changeGroupeInstructeur',
	needsInstructeur: false,
	fields: [
		{
			...groupeInstructeurLocator,
			description: 'The groupe instructeur to move the dossier to; it must belong to the dossier\'s démarche',
		},
	],
	async run({ itemIndex, dossierId }) {
		const groupeInstructeurId = globalId('GroupeInstructeur', readGroupeNumber(this, itemIndex));
		const payload = await mutate.call(
			this,
			{ ...DOSSIER_CHANGER_GROUPE, variables: { input: { dossierId, groupeInstructeurId } } },
			{ itemIndex },
		);
		return payload.dossier as IDataObject;
	},
});
