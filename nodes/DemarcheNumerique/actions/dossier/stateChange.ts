import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { DossierState } from '../../graphql';
import type { StateChange } from '../../graphql/mutations';
import { GET_DOSSIER_STATE_AND_ANNOTATIONS, STATE_CHANGE_MUTATIONS } from '../../graphql/mutations';
import { getDescriptors } from '../../resolve/descriptors';
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
				if (isWrongStateError(failure)) return { payload: undefined, failure: failure as NodeApiError };
				if (change === 'repasserEnConstruction' && (failure as NodeApiError).httpCode === '500') {
					const error = failure as NodeApiError;
					error.description = `${error.description} On a démarche that decides by silence (SVA/SVR), platforms older than mid-2026 fail this way: a dossier cannot go back en construction there. Ask the usager for a correction instead (Send Message with a Correction Request).`;
				}
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
	// "Le dossier est déjà …" names the dossier's state, or, for a decision, a refusal that has
	// nothing to do with it ("déjà en instruction"): read the dossier to tell which.
	const failure = outcome.failure as NodeApiError;
	const maybeBlocked = decision && /d[ée]j[aà] en instruction/i.test(failure.message);
	if (!tolerateWrongState && !maybeBlocked) throw failure;
	const { data } = await graphqlRequest.call(
		this,
		{ ...GET_DOSSIER_STATE_AND_ANNOTATIONS, variables: { number: dossierNumber } },
		{ intent: 'read', itemIndex },
	);
	const dossier = (data as { dossier?: IDataObject & { annotations?: ServedAnnotation[] } } | null)?.dossier;
	// Only the dossier's actual state can make a refusal a success.
	if (tolerateWrongState && dossier?.state === TARGET_STATE[change]) {
		const fields: IDataObject = { ...dossier };
		delete fields.annotations;
		return { ...fields, alreadyInTargetState: true };
	}
	if (decision && dossier?.state === 'en_instruction') {
		failure.description = await decisionBlockers(this, context, dossier.annotations ?? []);
	}
	throw failure;
}

interface ServedAnnotation {
	champDescriptorId: string;
	stringValue?: string | null;
	rows?: Array<{ champs: ServedAnnotation[] }>;
}

/**
 * Why the platform refused a decision on a dossier that IS en instruction while saying "Le dossier
 * est déjà en instruction": `Dossier#can_terminer?` (PR #12426) also requires every visible
 * mandatory private annotation to be filled in and valid. Names those left empty.
 */
async function decisionBlockers(
	ctx: IExecuteFunctions,
	context: DossierMutationContext,
	served: ServedAnnotation[],
): Promise<string> {
	const { annotations } = await getDescriptors(ctx, context.cache, await context.demarcheNumber(), context.itemIndex);
	const required = new Map(annotations.flatMap((d) => [d, ...(d.champDescriptors ?? [])]).filter((d) => d.required).map((d) => [d.id, d.label]));
	const empty = new Set<string>();
	const blank = (value: unknown) => value === null || value === undefined || String(value).trim() === '';
	for (const champ of served) {
		const label = required.get(champ.champDescriptorId);
		if (label && (champ.rows ? champ.rows.length === 0 : blank(champ.stringValue))) empty.add(label);
		for (const row of champ.rows ?? [])
			for (const child of row.champs) {
				const childLabel = required.get(child.champDescriptorId);
				if (childLabel && blank(child.stringValue)) empty.add(childLabel);
			}
	}
	const cause = empty.size
		? `These mandatory private annotations are empty: ${[...empty].map((l) => `"${l}"`).join(', ')}.`
		: 'A mandatory private annotation is probably invalid (its value no longer fits its type or options).';
	return `The dossier is en instruction, so this refusal is not about its state: the platform refuses a decision while a mandatory private annotation is empty or invalid, and then says "déjà en instruction". ${cause} Fill them in (Update Annotations), then run the decision again.`;
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
