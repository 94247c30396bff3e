import type { IDataObject } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { DOSSIER_SUPPRIMER_MESSAGE } from '../../graphql/mutations';
import { mutate } from '../../transport';
import { dossierMutation } from './dossierMutation';

export const { description, execute } = dossierMutation({
	operation: 'deleteMessage',
	needsInstructeur: true,
	fields: [
		{
			displayName: 'Message ID',
			name: 'messageId',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'e.g. Q29tbWVudGFpcmUtMTI=',
			description:
				'The ID of the message to delete (from Get with the Messages part, or the output of Send Message). Only the instructeur who sent it can delete it.',
		},
	],
	async run({ itemIndex, instructeurId }) {
		const messageId = String(this.getNodeParameter('messageId', itemIndex, '') ?? '').trim();
		if (!messageId) {
			throw new NodeOperationError(this.getNode(), 'No message ID given', {
				itemIndex,
				description: 'Give the ID of the message to delete (field "id" of a message).',
			});
		}
		const input = { messageId, instructeurId: await instructeurId() };
		const payload = await mutate.call(this, { ...DOSSIER_SUPPRIMER_MESSAGE, variables: { input } }, { itemIndex });
		return payload.message as IDataObject;
	},
});
