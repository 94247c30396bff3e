import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { MutationDocument } from '../../graphql/mutations';
import {
	GROUPE_INSTRUCTEUR_AJOUTER_INSTRUCTEURS,
	GROUPE_INSTRUCTEUR_SUPPRIMER_INSTRUCTEURS,
} from '../../graphql/mutations';
import type { MutationPayload } from '../../transport';
import { mutate } from '../../transport';
import { globalId, isGlobalIdOf } from '../../resolve/globalIds';
import { groupeInstructeurLocator, optionalDemarcheLocator, readGroupeNumber } from '../common/locators';
import type { OperationModule } from '../common/types';
import { showOnlyFor } from '../common/displayOptions';
import { warningsOf } from '../common/warnings';

/** Profiles from a list of e-mails (or instructeur IDs), separated by commas, semicolons or lines. */
export function readProfiles(ctx: IExecuteFunctions, itemIndex: number, parameter = 'instructeurs'): IDataObject[] {
	const raw = ctx.getNodeParameter(parameter, itemIndex, '') as string | string[];
	const values = (Array.isArray(raw) ? raw : String(raw ?? '').split(/[,;\n]/))
		.map((value) => String(value).trim())
		.filter(Boolean);
	// Instructeur IDs decode to `Instructeur-<n>`; anything else is an e-mail (the platform warns about invalid ones).
	return [...new Set(values)].map((value) => (isGlobalIdOf(value, 'Instructeur') ? { id: value } : { email: value }));
}

/** The groupe and the platform's warnings (e.g. invalid e-mails it skipped) as one item. */
export function groupeOutput(payload: MutationPayload): IDataObject {
	return {
		...(payload.groupeInstructeur as IDataObject),
		...warningsOf(payload),
	};
}

/** Add or remove instructeurs: the same input, two mutations. */
export function instructeursOperation(add: boolean): OperationModule {
	const operation = add ? 'addInstructeurs' : 'removeInstructeurs';
	const document: MutationDocument = add
		? GROUPE_INSTRUCTEUR_AJOUTER_INSTRUCTEURS
		: GROUPE_INSTRUCTEUR_SUPPRIMER_INSTRUCTEURS;
	return {
		description: showOnlyFor('groupeInstructeur', operation, [
			optionalDemarcheLocator,
			groupeInstructeurLocator,
			{
				displayName: 'Instructeurs',
				name: 'instructeurs',
				type: 'string',
				default: '',
				required: true,
				placeholder: 'e.g. agent@example.gouv.fr, autre@example.gouv.fr',
				description: `E-mails of the instructeurs to ${add ? 'add (new ones are invited by the platform)' : 'remove'}, separated by commas or new lines`,
			},
		]),
		async execute(this: IExecuteFunctions, itemIndex: number) {
			const instructeurs = readProfiles(this, itemIndex);
			if (!instructeurs.length) {
				throw new NodeOperationError(this.getNode(), 'No instructeur e-mail given', {
					itemIndex,
					description: 'List at least one e-mail in the Instructeurs parameter.',
				});
			}
			const groupeInstructeurId = globalId('GroupeInstructeur', readGroupeNumber(this, itemIndex));
			const payload = await mutate.call(
				this,
				{ ...document, variables: { input: { groupeInstructeurId, instructeurs } } },
				{ itemIndex },
			);
			return [{ json: groupeOutput(payload) }];
		},
	};
}
