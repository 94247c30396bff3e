import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { DOSSIER_MODIFIER_ANNOTATIONS, legacyAnnotationMutation } from '../../graphql/mutations';
import type { AnnotationEntry, AnnotationOutcome, PlannedAnnotation } from '../../resolve/annotations';
import {
	AnnotationValueError,
	batchOutcome,
	checkValueKeys,
	labelList,
	legacyCalls,
	newerKeys,
	planAnnotations,
} from '../../resolve/annotations';
import {
	getAnnotationValueKeys,
	hasMutation,
	isMissingFieldError,
	markMissing,
} from '../../resolve/capabilities';
import { getDescriptors } from '../../resolve/descriptors';
import type { MutationPayload } from '../../transport';
import { apiError, describeBusinessError, getDnCredentials, sendMutation, uploadBinary } from '../../transport';
import type { DossierMutationContext } from './dossierMutation';
import { dossierMutation } from './dossierMutation';

function invalid(ctx: IExecuteFunctions, itemIndex: number, error: unknown): never {
	if (!(error instanceof AnnotationValueError)) throw error;
	throw new NodeOperationError(ctx.getNode(), error.message, {
		itemIndex,
		description:
			'Nothing was sent. Fix the listed annotations: name each by its label (as in the démarche\'s form) or champ ID, with a value of its type.',
	});
}

/** Uploads the files of file annotations and puts their signed blob IDs in the values. */
async function uploadFiles(
	ctx: IExecuteFunctions,
	planned: PlannedAnnotation[],
	dossierId: string,
	itemIndex: number,
): Promise<void> {
	for (const annotation of planned) {
		if (!annotation.binaryProperties) continue;
		const ids: string[] = [];
		for (const binaryPropertyName of annotation.binaryProperties) {
			ids.push((await uploadBinary.call(ctx, { dossierId, itemIndex, binaryPropertyName })).signedBlobId);
		}
		annotation.input.value = { pieceJustificative: ids };
	}
}

/**
 * The item's result when every annotation was written; otherwise an error that says what was
 * written and what was refused, with the platform's words (the same on the error item of
 * Continue On Fail). A partial write is never called "nothing written", and the advice never
 * says to resend the whole item when that would add repetition rows again.
 */
async function report(
	ctx: IExecuteFunctions,
	context: DossierMutationContext,
	planned: PlannedAnnotation[],
	outcome: AnnotationOutcome,
	extra: IDataObject,
): Promise<IDataObject> {
	const { dossierNumber, itemIndex } = context;
	const summary: IDataObject = {
		dossierNumber,
		written: outcome.written.map((r) => r.annotation),
		failed: outcome.failed.map((r) => ({ annotation: r.annotation, id: r.id, error: r.error ?? null })),
	};
	if (!outcome.failed.length) return { ...extra, ...summary };
	const refused = outcome.failed.map((r) => `"${r.annotation}": ${r.error}`).join('; ');
	const rows = planned.filter(
		(p) => 'repetition' in p.input.value && outcome.written.some((r) => r.id === p.input.id),
	);
	const message = outcome.written.length
		? `Démarche Numérique wrote ${outcome.written.length} of ${planned.length} annotations of dossier ${dossierNumber} and refused ${refused}`
		: `Démarche Numérique refused the annotations of dossier ${dossierNumber}: ${refused}`;
	const description = outcome.written.length
		? `Written and saved: ${labelList(outcome.written)}. Refused: ${labelList(outcome.failed)}. Fix the refused ones and run again with only them${rows.length ? ` (running the whole item again would add the rows of ${labelList(rows.map((p) => ({ annotation: p.descriptor.label, id: p.input.id })))} again)` : ''}. The platform's messages name no annotation; each is given here beside the annotation it most likely belongs to.`
		: `Nothing was written. Check each refused value against the annotation's type and options in the démarche's form.`;
	const fixes = [...new Set(outcome.failed.map((r) => describeBusinessError(r.error ?? '')))].join(' ');
	const { token } = await getDnCredentials(ctx);
	const error = apiError(ctx.getNode(), { message, description: `${description} ${fixes}`, itemIndex }, token);
	error.context.outcome = summary;
	throw error;
}

async function run(this: IExecuteFunctions, context: DossierMutationContext): Promise<IDataObject> {
	const { itemIndex, cache, dossierId } = context;
	const collection = this.getNodeParameter('annotations', itemIndex, {}) as { annotation?: AnnotationEntry[] };
	const entries = collection.annotation ?? [];
	const descriptors = await getDescriptors(this, cache, await context.demarcheNumber(), itemIndex);
	let planned: PlannedAnnotation[];
	try {
		planned = planAnnotations(descriptors.annotations, entries, { timeZone: this.getTimezone() });
	} catch (error) {
		invalid(this, itemIndex, error);
	}
	const instructeurId = await context.instructeurId();

	if (await hasMutation(this, cache, 'dossierModifierAnnotations', itemIndex)) {
		// The types added in mid-2026 need a server that has them (asked once, only when used).
		const serverKeys = newerKeys(planned).length ? await getAnnotationValueKeys(this, cache, itemIndex) : undefined;
		try {
			if (serverKeys) checkValueKeys(planned, serverKeys);
		} catch (error) {
			invalid(this, itemIndex, error);
		}
		await uploadFiles(this, planned, dossierId, itemIndex);
		// One call for all; the platform saves each valid item on its own (not atomic).
		const payload = await sendMutation
			.call(this, {
				...DOSSIER_MODIFIER_ANNOTATIONS,
				variables: { input: { dossierId, instructeurId, annotations: planned.map((p) => p.input) } },
			}, { itemIndex })
			.catch((failure: unknown) => {
				// Only reachable when introspection was refused: the server has no batch mutation.
				if (isMissingFieldError(failure, 'dossierModifierAnnotations')) return undefined;
				throw failure;
			});
		if (payload) {
			return await report(this, context, planned, batchOutcome(planned, payload as never), {
				annotations: (payload.annotations ?? []) as IDataObject[],
			});
		}
		await markMissing(this, 'dossierModifierAnnotations');
	}
	return await writeOneByOne.call(this, context, planned, instructeurId);
}

/**
 * Forks and older instances: the deprecated per-type mutations, one call per annotation (and per
 * repetition row). Each is its own write, like the batch mutation's items: a refusal does not stop
 * the others, and the result says the same things the same way. A failure that may hide a success
 * (5xx, reset) stops at once, saying what was written before it and what was not sent.
 */
async function writeOneByOne(
	this: IExecuteFunctions,
	context: DossierMutationContext,
	planned: PlannedAnnotation[],
	instructeurId: string,
): Promise<IDataObject> {
	const { itemIndex, dossierId } = context;
	let calls;
	try {
		calls = legacyCalls(planned);
	} catch (error) {
		invalid(this, itemIndex, error);
	}
	const written = new Map<string, IDataObject>();
	const failed = new Map<string, string>();
	for (const [index, call] of calls.entries()) {
		const payload: MutationPayload = await sendMutation
			.call(
				this,
				{ ...legacyAnnotationMutation(call.kind), variables: { input: { dossierId, instructeurId, ...call.input } } },
				{ itemIndex },
			)
			.catch((failure: { description?: string }) => {
				// A failure that may hide a success: say what was written before it and what was not sent.
				const done = planned.filter((p) => written.has(p.input.id)).map((p) => `"${p.descriptor.label}"`);
				const notSent = [...new Set(calls.slice(index + 1).map((c) => `"${c.annotation.descriptor.label}"`))];
				failure.description = `${failure.description ?? ''} Before this failure (on "${call.annotation.descriptor.label}"): written ${done.join(', ') || 'nothing'}; not sent: ${notSent.join(', ') || 'nothing'}.`.trim();
				throw failure;
			});
		const id = call.annotation.input.id;
		const errors = payload.errors ?? [];
		if (errors.length) failed.set(id, [failed.get(id), ...errors.map((e) => e.message)].filter(Boolean).join(' / '));
		else written.set(id, payload.annotation as IDataObject);
	}
	const outcome: AnnotationOutcome = {
		written: planned
			.filter((p) => written.has(p.input.id) && !failed.has(p.input.id))
			.map((p) => ({ annotation: p.descriptor.label, id: p.input.id })),
		failed: planned
			.filter((p) => failed.has(p.input.id))
			.map((p) => ({ annotation: p.descriptor.label, id: p.input.id, error: failed.get(p.input.id) })),
	};
	return await report(this, context, planned, outcome, {
		annotations: [...written.values()],
		legacyMutations: true,
	});
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
				'Private annotations to write, in one request. The platform saves each valid one on its own: the output lists what was written, and an item whose annotations were refused fails with each refusal (even when others were written). Values are converted to each annotation\'s type: yes/no as true or false, dates as YYYY-MM-DD, date-times read in the workflow\'s time zone unless they carry an offset, multiple choices as a JSON array or comma-separated, a repetition as the number of rows to add (sending it again adds them again), a file annotation as the name of the input binary property that holds the file (several separated by commas; files are added, never replaced).',
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
							description:
								'The value to write; drop-down values must be one of the annotation\'s options; for a file annotation, the binary property name (e.g. data)',
						},
					],
				},
			],
		},
	],
	run,
});
