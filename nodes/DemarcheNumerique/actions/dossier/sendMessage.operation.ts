import type { IDataObject } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { DOSSIER_ENVOYER_MESSAGE } from '../../graphql/mutations';
import { mutate, uploadBinary } from '../../transport';
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
			required: true,
			description: 'The message the usager receives (by e-mail and on the dossier page)',
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
						'Ask the usager to correct the dossier: it goes back to en construction until they do',
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
		if (!body.trim()) {
			throw new NodeOperationError(this.getNode(), 'The message body is empty', {
				itemIndex,
				description: 'Write the message the usager will read in the Body parameter.',
			});
		}
		const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
		const input: IDataObject = { dossierId, instructeurId: await instructeurId(), body };
		if (options.correction) input.correction = options.correction;
		const property = String(options.attachmentBinaryProperty ?? '').trim();
		if (property) {
			const file = await uploadBinary.call(this, { dossierId, itemIndex, binaryPropertyName: property });
			input.attachment = file.signedBlobId;
		}
		const payload = await mutate.call(this, { ...DOSSIER_ENVOYER_MESSAGE, variables: { input } }, { itemIndex });
		return payload.message as IDataObject;
	},
});
