import type { IDataObject } from 'n8n-workflow';

import {
	DOSSIER_AJOUTER_LABEL,
	DOSSIER_ARCHIVER,
	DOSSIER_BASCULE_SUIVI,
	DOSSIER_DESARCHIVER,
	DOSSIER_SUPPRIMER_LABEL,
} from '../../graphql/mutations';
import { isGlobalIdOf } from '../../resolve/globalIds';
import { resolveLabelId } from '../../resolve/labels';
import { mutate } from '../../transport';
import type { OperationModule } from '../common/types';
import { dossierMutation } from './dossierMutation';

/** Archive or unarchive: the same input, two mutations. */
export function archiveOperation(archive: boolean): OperationModule {
	return dossierMutation({
		operation: archive ? 'archive' : 'unarchive',
		needsInstructeur: true,
		async run({ itemIndex, dossierId, instructeurId }) {
			const document = archive ? DOSSIER_ARCHIVER : DOSSIER_DESARCHIVER;
			const input = { dossierId, instructeurId: await instructeurId() };
			const payload = await mutate.call(this, { ...document, variables: { input } }, { itemIndex });
			return payload.dossier as IDataObject;
		},
	});
}

/** Follow or unfollow: one mutation with a `follow` switch. */
export function followOperation(follow: boolean): OperationModule {
	return dossierMutation({
		operation: follow ? 'follow' : 'unfollow',
		needsInstructeur: true,
		async run({ itemIndex, dossierId, instructeurId }) {
			const input = { dossierId, instructeurId: await instructeurId(), follow };
			const payload = await mutate.call(this, { ...DOSSIER_BASCULE_SUIVI, variables: { input } }, { itemIndex });
			return payload.dossier as IDataObject;
		},
	});
}

/** Add or remove a label, by name (looked up once per execution and démarche) or ID. */
export function labelOperation(add: boolean): OperationModule {
	return dossierMutation({
		operation: add ? 'addLabel' : 'removeLabel',
		needsInstructeur: false,
		fields: [
			{
				displayName: 'Label',
				name: 'label',
				type: 'string',
				default: '',
				required: true,
				placeholder: 'e.g. Urgent',
				description: `The label to ${add ? 'put on' : 'remove from'} the dossier: its name as shown in the démarche, or its ID`,
			},
		],
		async run({ itemIndex, cache, dossierId, withDemarche }) {
			const label = this.getNodeParameter('label', itemIndex) as string;
			const document = add ? DOSSIER_AJOUTER_LABEL : DOSSIER_SUPPRIMER_LABEL;
			const apply = async (labelId: string) => {
				const payload = await mutate.call(this, { ...document, variables: { input: { dossierId, labelId } } }, { itemIndex });
				return { ...(payload.dossier as IDataObject), label: payload.label as IDataObject };
			};
			// A label ID needs no démarche; a name is looked up in the dossier's démarche.
			if (isGlobalIdOf(label.trim(), 'Label')) return await apply(label.trim());
			return await withDemarche(async (demarcheNumber) =>
				await apply(await resolveLabelId(this, cache, label, demarcheNumber, itemIndex)),
			);
		},
	});
}
