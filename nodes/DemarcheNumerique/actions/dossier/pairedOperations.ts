/**
 * The dossier operations that come in pairs, one factory per pair: archive/unarchive and
 * follow/unfollow (the dossier and the acting instructeur), addLabel/removeLabel (a label by name
 * or ID).
 */
import type { IDataObject } from 'n8n-workflow';

import type { MutationDocument } from '../../graphql/mutations';
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

/** A mutation of a dossier by an instructeur, with nothing else to give but the switch's own input. */
function byInstructeur(operation: string, document: MutationDocument, extraInput: IDataObject): OperationModule {
	return dossierMutation({
		operation,
		needsInstructeur: true,
		async run({ itemIndex, dossierId, instructeurId }) {
			const input = { dossierId, instructeurId: await instructeurId(), ...extraInput };
			const payload = await mutate.call(this, { ...document, variables: { input } }, { itemIndex });
			return payload.dossier as IDataObject;
		},
	});
}

/** Archive or unarchive: the same input, two mutations. */
export function archiveOperation(archive: boolean): OperationModule {
	return byInstructeur(archive ? 'archive' : 'unarchive', archive ? DOSSIER_ARCHIVER : DOSSIER_DESARCHIVER, {});
}

/** Follow or unfollow: one mutation with a `follow` switch. */
export function followOperation(follow: boolean): OperationModule {
	return byInstructeur(follow ? 'follow' : 'unfollow', DOSSIER_BASCULE_SUIVI, { follow });
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
		async run({ itemIndex, cache, dossierId, demarcheNumber }) {
			const label = this.getNodeParameter('label', itemIndex) as string;
			const document = add ? DOSSIER_AJOUTER_LABEL : DOSSIER_SUPPRIMER_LABEL;
			const apply = async (labelId: string) => {
				const payload = await mutate.call(this, { ...document, variables: { input: { dossierId, labelId } } }, { itemIndex });
				return { ...(payload.dossier as IDataObject), label: payload.label as IDataObject };
			};
			// A label ID needs no démarche; a name is looked up in the dossier's démarche.
			if (isGlobalIdOf(label.trim(), 'Label')) return await apply(label.trim());
			return await apply(await resolveLabelId(this, cache, label, await demarcheNumber(), itemIndex));
		},
	});
}
