import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { DOSSIER_MODIFIER_ANNOTATIONS, legacyAnnotationMutation } from '../../graphql/mutations';
import type { AnnotationEntry } from '../../resolve/annotations';
import { AnnotationValueError, legacyCalls, planAnnotations } from '../../resolve/annotations';
import { hasMutation, isMissingFieldError, markMissing } from '../../resolve/capabilities';
import { getDescriptors } from '../../resolve/descriptors';
import { mutate } from '../../transport';
import type { DossierMutationContext } from './dossierMutation';
import { dossierMutation } from './dossierMutation';

function invalid(ctx: IExecuteFunctions, itemIndex: number, error: unknown): never {
	if (!(error instanceof AnnotationValueError)) throw error;
	throw new NodeOperationError(ctx.getNode(), error.message, {
		itemIndex,
		description:
			'Nothing was written. Fix the listed annotations: name each by its label (as in the démarche\'s form) or champ ID, with a value of its type.',
	});
}

async function run(this: IExecuteFunctions, context: DossierMutationContext): Promise<IDataObject> {
	return await context.withDemarche(async (demarcheNumber) => await write.call(this, context, demarcheNumber));
}

async function write(
	this: IExecuteFunctions,
	context: DossierMutationContext,
	demarcheNumber: number,
): Promise<IDataObject> {
	const { itemIndex, cache, dossierId, dossierNumber } = context;
	const collection = this.getNodeParameter('annotations', itemIndex, {}) as { annotation?: AnnotationEntry[] };
	const entries = collection.annotation ?? [];
	const descriptors = await getDescriptors(this, cache, demarcheNumber, itemIndex);
	let planned;
	try {
		planned = planAnnotations(descriptors.annotations, entries);
	} catch (error) {
		invalid(this, itemIndex, error);
	}
	const instructeurId = await context.instructeurId();

	if (await hasMutation(this, cache, 'dossierModifierAnnotations', itemIndex)) {
		// Every annotation in one call: the platform applies them together.
		const outcome = await mutate
			.call(
				this,
				{
					...DOSSIER_MODIFIER_ANNOTATIONS,
					variables: { input: { dossierId, instructeurId, annotations: planned.map((p) => p.input) } },
				},
				{ itemIndex },
			)
			.then(
				(payload) => ({ payload, missing: false }),
				(failure: unknown) => {
					// Only reachable when introspection was refused: the server has no batch mutation.
					if (isMissingFieldError(failure, 'dossierModifierAnnotations')) return { payload: undefined, missing: true };
					throw failure;
				},
			);
		if (outcome.payload) {
			return { dossierNumber, annotations: (outcome.payload.annotations ?? []) as IDataObject[] };
		}
		await markMissing(this, 'dossierModifierAnnotations');
	}

	// Forks and older instances: the deprecated per-type mutations, one call per annotation.
	let calls;
	try {
		calls = legacyCalls(planned);
	} catch (error) {
		invalid(this, itemIndex, error);
	}
	const written = new Map<string, IDataObject>();
	for (const call of calls) {
		const payload = await mutate.call(
			this,
			{
				...legacyAnnotationMutation(call.kind),
				variables: { input: { dossierId, instructeurId, ...call.input } },
			},
			{ itemIndex },
		);
		written.set(call.input.annotationId, payload.annotation as IDataObject);
	}
	return { dossierNumber, annotations: [...written.values()], legacyMutations: true };
}

export const { description, execute } = dossierMutation({
	operation: 'updateAnnotations',
	needsInstructeur: true,
	fields: [
		{
			displayName: 'Annotations',
			name: 'annotations',
			type: 'fixedCollection',
			typeOptions: { multipleValues: true },
			placeholder: 'Add Annotation',
			default: {},
			required: true,
			description:
				'Private annotations to write, all in one request. Values are converted to each annotation\'s type: yes/no as true or false, dates as YYYY-MM-DD, multiple choices as a JSON array or comma-separated, a repetition as the number of rows to add.',
			options: [
				{
					displayName: 'Annotation',
					name: 'annotation',
					values: [
						{
							displayName: 'Annotation',
							name: 'annotation',
							type: 'string',
							default: '',
							placeholder: 'e.g. Avis du service',
							description: 'The annotation\'s label as shown in the démarche\'s form, or its champ ID',
						},
						{
							displayName: 'Value',
							name: 'value',
							type: 'string',
							default: '',
							description: 'The value to write; drop-down values must be one of the annotation\'s options',
						},
					],
				},
			],
		},
	],
	run,
});
