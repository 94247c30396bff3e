import type { IDataObject } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { DOSSIER_ENVOYER_MESSAGE } from '../../graphql/mutations';
import { apiError, getDnCredentials, mutate, uploadBinary } from '../../transport';
import { binaryPropertyOption } from '../common/fields';
import { dossierMutation } from './dossierMutation';

export const { description, execute } = dossierMutation({
	operation: 'sendMessage',
	needsInstructeur: true,
	fields: [
		{
			displayName: 'Body',
			name: 'body',
			type: 'string',
			typeOptions: { rows: 5 },
			default: '',
			description:
				'The message the usager receives (by e-mail and on the dossier page). It may be empty only when a file is attached.',
		},
		{
			displayName: 'Options',
			name: 'options',
			type: 'collection',
			placeholder: 'Add Option',
			default: {},
			options: [
				binaryPropertyOption('attachmentBinaryProperty', 'Attachment Binary Property', 'message attachment (at most 20 MB)'),
				{
					displayName: 'Correction Request',
					name: 'correction',
					type: 'options',
					default: 'incomplete',
					description:
						'Ask the usager to correct the dossier: it goes back to en construction until they do. Refused while a correction is already pending, or on a dossier with a decision.',
					options: [
						{ name: 'Incomplete', value: 'incomplete', description: 'The dossier is missing something' },
						{ name: 'Incorrect', value: 'incorrect', description: 'The dossier is not valid and must be corrected' },
						{ name: 'Outdated', value: 'outdated', description: 'The dossier must be updated and submitted again' },
					],
				},
			],
		},
	],
	async run({ itemIndex, dossierId, instructeurId }) {
		const body = String(this.getNodeParameter('body', itemIndex, '') ?? '');
		const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
		// The platform takes an empty body only with a file attached.
		if (!body.trim() && !String(options.attachmentBinaryProperty ?? '').trim()) {
			throw new NodeOperationError(this.getNode(), 'The message body is empty', {
				itemIndex,
				description: 'Write the message the usager will read in the Body parameter, or attach a file.',
			});
		}
		const input: IDataObject = { dossierId, instructeurId: await instructeurId(), body };
		if (options.correction) input.correction = options.correction;
		const property = String(options.attachmentBinaryProperty ?? '').trim();
		if (property) {
			const file = await uploadBinary.call(this, { dossierId, itemIndex, binaryPropertyName: property });
			input.attachment = file.signedBlobId;
		}
		const payload = await mutate.call(this, { ...DOSSIER_ENVOYER_MESSAGE, variables: { input } }, { itemIndex });
		const message = payload.message as IDataObject & { correction?: unknown };
		// Platforms older than PR #13722 (mid-2026) send an impossible correction as a plain message
		// and report success; newer ones refuse it before sending anything.
		if (input.correction && !message.correction) {
			const { token } = await getDnCredentials(this);
			const error = apiError(
				this.getNode(),
				{
					message: 'The platform sent the message but recorded no correction request',
					description:
						'A correction is already pending on this dossier, or the dossier is no longer en construction or en instruction: this platform then sends the message as a plain one. The message was sent: do not run this item again. Wait for the pending correction, or take the dossier back into instruction, then ask for the correction.',
					itemIndex,
				},
				token,
			);
			error.context.outcome = { message };
			throw error;
		}
		return message;
	},
});
