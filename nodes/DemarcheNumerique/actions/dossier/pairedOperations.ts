/**
 * The dossier operations that come in pairs, one factory per pair: archive/unarchive and
 * follow/unfollow (the dossier and the acting instructeur), addLabel/removeLabel (a label by name
 * or ID).
 */
import type { IDataObject, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

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

/**
 * `label` of version 2: picked from the dossier's démarche's labels, or given by name or ID. The
 * list's values are label IDs (the name is shown), so a renamed label keeps working.
 */
function labelLocator(add: boolean): INodeProperties {
	return {
		displayName: 'Label',
		name: 'label',
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required: true,
		description: `The label to ${add ? 'put on' : 'remove from'} the dossier, one of its démarche's labels`,
		displayOptions: { show: { '@version': [2] } },
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				typeOptions: { searchListMethod: 'searchLabels', searchable: true },
			},
			{
				displayName: 'By Name',
				name: 'name',
				type: 'string',
				placeholder: 'e.g. Urgent',
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: 'e.g. TGFiZWwtMQ==',
			},
		],
	};
}

/** The label of an item, either shape: version 1's text (name or ID) or version 2's locator. */
export function labelFrom(raw: unknown): { value: string; mode: string } {
	if (raw && typeof raw === 'object') {
		const locator = raw as { mode?: unknown; value?: unknown };
		return { value: String(locator.value ?? '').trim(), mode: String(locator.mode ?? 'name') };
	}
	return { value: String(raw ?? '').trim(), mode: 'name' };
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
				displayOptions: { show: { '@version': [1] } },
			},
			labelLocator(add),
		],
		async run({ itemIndex, cache, dossierId, demarcheNumber }) {
			const { value: label, mode } = labelFrom(this.getNodeParameter('label', itemIndex));
			const document = add ? DOSSIER_AJOUTER_LABEL : DOSSIER_SUPPRIMER_LABEL;
			const apply = async (labelId: string) => {
				const payload = await mutate.call(this, { ...document, variables: { input: { dossierId, labelId } } }, { itemIndex });
				return { ...(payload.dossier as IDataObject), label: payload.label as IDataObject };
			};
			if (mode === 'id' && !isGlobalIdOf(label, 'Label')) {
				throw new NodeOperationError(this.getNode(), `"${label}" is not a label ID`, {
					itemIndex,
					description:
						'A label ID looks like TGFiZWwtMQ== (as the list or Démarche > Get give it). To give the label\'s name, use the "By Name" mode.',
				});
			}
			// A label ID needs no démarche; a name is looked up in the dossier's démarche.
			if (isGlobalIdOf(label, 'Label')) return await apply(label);
			return await apply(await resolveLabelId(this, cache, label, await demarcheNumber(), itemIndex));
		},
	});
}
