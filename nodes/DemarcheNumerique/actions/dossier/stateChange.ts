import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { DossierState } from '../../graphql';
import type { StateChange } from '../../graphql/mutations';
import { GET_MUTATED_DOSSIER, STATE_CHANGE_MUTATIONS } from '../../graphql/mutations';
import type { UploadedFile } from '../../transport';
import { graphqlRequest, mutate, uploadBinary } from '../../transport';
import type { OperationModule } from '../common/types';
import { binaryPropertyOption } from '../common/fields';
import type { DossierMutationContext } from './dossierMutation';
import { dossierMutation } from './dossierMutation';

/** The state each change leads to, to recognise a re-run on a dossier already there. */
export const TARGET_STATE: Record<StateChange, DossierState> = {
	passerEnInstruction: 'en_instruction',
	accept: 'accepte',
	refuse: 'refuse',
	classerSansSuite: 'sans_suite',
	repasserEnInstruction: 'en_instruction',
	repasserEnConstruction: 'en_construction',
};

const DECISIONS: StateChange[] = ['accept', 'refuse', 'classerSansSuite'];
const MOTIVATION_REQUIRED: StateChange[] = ['refuse', 'classerSansSuite'];

/** The platform's wrong-state message: "Le dossier est déjà en instruction", "… déjà accepté"… */
export function isWrongStateError(error: unknown): boolean {
	return error instanceof NodeApiError && /est d[ée]j[aà]/i.test(error.message);
}

function fields(change: StateChange): INodeProperties[] {
	const decision = DECISIONS.includes(change);
	const list: INodeProperties[] = [];
	if (decision) {
		const required = MOTIVATION_REQUIRED.includes(change);
		list.push({
			displayName: 'Motivation',
			name: 'motivation',
			type: 'string',
			typeOptions: { rows: 4 },
			default: '',
			required,
			description: required
				? 'Why the dossier gets this decision. The usager reads it; the platform requires it.'
				: 'Why the dossier is accepted. The usager reads it (optional).',
		});
	}
	const options: INodeProperties[] = [
		{
			displayName: 'Disable Notification',
			name: 'disableNotification',
			type: 'boolean',
			default: false,
			description: 'Whether to skip the e-mail the platform sends to the usager about this change',
		},
	];
	if (decision) {
		options.push(
			binaryPropertyOption('justificatifBinaryProperty', 'Justificatif Binary Property', 'justificatif (the document attached to the decision)'),
		);
	}
	options.push({
		displayName: 'Succeed If Already In Target State',
		name: 'succeedIfAlreadyInTargetState',
		type: 'boolean',
		default: false,
		description:
			'Whether a dossier already in the state this change leads to counts as a success (so re-running a workflow does not fail); the output then has alreadyInTargetState set to true',
	});
	list.push({
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options,
	});
	return list;
}

async function run(
	this: IExecuteFunctions,
	change: StateChange,
	context: DossierMutationContext,
): Promise<IDataObject> {
	const { itemIndex, dossierId, dossierNumber } = context;
	const decision = DECISIONS.includes(change);
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const motivation = decision ? String(this.getNodeParameter('motivation', itemIndex, '') ?? '').trim() : '';
	// Checked before any request, so nothing is uploaded or changed for an incomplete decision.
	if (MOTIVATION_REQUIRED.includes(change) && !motivation) {
		throw new NodeOperationError(this.getNode(), 'A motivation is required for this decision', {
			itemIndex,
			description: 'The platform refuses a refusal or a "classer sans suite" without a motivation: fill in the Motivation parameter (the usager reads it).',
		});
	}
	const justificatifProperty = decision ? String(options.justificatifBinaryProperty ?? '').trim() : '';

	const instructeurId = await context.instructeurId();
	const input: IDataObject = {
		dossierId,
		instructeurId,
		disableNotification: options.disableNotification === true,
	};
	if (motivation) input.motivation = motivation;
	let justificatif: UploadedFile | undefined;
	if (justificatifProperty) {
		justificatif = await uploadBinary.call(this, { dossierId, itemIndex, binaryPropertyName: justificatifProperty });
		input.justificatif = justificatif.signedBlobId;
	}

	const document = STATE_CHANGE_MUTATIONS[change];
	const tolerateWrongState = options.succeedIfAlreadyInTargetState === true;
	const outcome = await mutate
		.call(this, { ...document, variables: { input } }, { itemIndex })
		.then(
			(payload) => ({ payload, failure: undefined }),
			(failure: unknown) => {
				if (tolerateWrongState && isWrongStateError(failure)) return { payload: undefined, failure };
				throw failure;
			},
		);
	if (outcome.payload) {
		return {
			...(outcome.payload.dossier as IDataObject),
			...(tolerateWrongState ? { alreadyInTargetState: false } : {}),
			...(justificatif ? { justificatif: { filename: justificatif.filename, byteSize: justificatif.byteSize, checksum: justificatif.checksum } } : {}),
		};
	}
	// "déjà …" names the current state, not necessarily the target: read it to be sure.
	const { data } = await graphqlRequest.call(
		this,
		{ ...GET_MUTATED_DOSSIER, variables: { number: dossierNumber } },
		{ intent: 'read', itemIndex },
	);
	const dossier = (data as { dossier?: IDataObject } | null)?.dossier;
	if (dossier?.state !== TARGET_STATE[change]) throw outcome.failure as NodeApiError;
	return { ...dossier, alreadyInTargetState: true };
}

/** One of the six state changes: they differ only by mutation, target state and decision fields. */
export function stateChangeOperation(change: StateChange): OperationModule {
	return dossierMutation({
		operation: change,
		needsInstructeur: true,
		fields: fields(change),
		async run(context) {
			return await run.call(this, change, context);
		},
	});
}
