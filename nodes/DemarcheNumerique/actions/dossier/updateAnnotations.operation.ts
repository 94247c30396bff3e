import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import {
	DOSSIER_MODIFIER_ANNOTATIONS,
	DOSSIER_MODIFIER_ANNOTATIONS_ROWS,
	legacyAnnotationMutation,
} from '../../graphql/mutations';
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
import type { PlannedRows } from '../../resolve/annotationRows';
import { mappedEntries, rowInputs } from '../../resolve/annotationRows';
import {
	getAnnotationValueKeys,
	hasMutation,
	isMissingFieldError,
	markMissing,
} from '../../resolve/capabilities';
import type { DescriptorIndex } from '../../resolve/descriptors';
import { getDescriptors } from '../../resolve/descriptors';
import type { MutationPayload } from '../../transport';
import { apiError, describeBusinessError, getDnCredentials, sendMutation, uploadBinary } from '../../transport';
import { formColumnsField } from '../common/fields';
import { demarcheLocator } from '../common/locators';
import { readDemarche } from '../../resolve/demarche';
import type { DossierMutationContext } from './dossierMutation';
import { dossierMutation } from './dossierMutation';

function invalid(ctx: IExecuteFunctions, itemIndex: number, error: unknown): never {
	if (!(error instanceof AnnotationValueError)) throw error;
	throw new NodeOperationError(ctx.getNode(), error.message, {
		itemIndex,
		description:
			ctx.getNode().typeVersion >= 2
				? 'Nothing was sent. Fix the listed columns: each value must fit its annotation\'s type and options (refresh the columns if the démarche\'s form changed).'
				: 'Nothing was sent. Fix the listed annotations: name each by its label (as in the démarche\'s form) or champ ID, with a value of its type.',
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
	if (this.getNode().typeVersion >= 2) return await runMapped.call(this, context);
	const { itemIndex, cache } = context;
	const collection = this.getNodeParameter('annotations', itemIndex, {}) as { annotation?: AnnotationEntry[] };
	const descriptors = await getDescriptors(this, cache, await context.demarcheNumber(), itemIndex);
	return await write.call(this, context, descriptors, collection.annotation ?? [], []);
}

/**
 * Version 2: the columns of the resource mapper, keyed by annotation ID, for the démarche picked
 * in the node (the dossier must be one of its dossiers). Empty columns are not written.
 */
async function runMapped(this: IExecuteFunctions, context: DossierMutationContext): Promise<IDataObject> {
	const { itemIndex, cache, dossierNumber } = context;
	const picked = await readDemarche(this, itemIndex, cache);
	const actual = await context.demarcheNumber();
	if (actual !== picked) {
		throw new NodeOperationError(
			this.getNode(),
			`Dossier ${dossierNumber} belongs to démarche ${actual}, not to démarche ${picked} whose annotations are mapped`,
			{
				itemIndex,
				description: `Nothing was sent. Pick démarche ${actual} in "Démarche" and map its annotations, or use a dossier of démarche ${picked}.`,
			},
		);
	}
	const descriptors = await getDescriptors(this, cache, picked, itemIndex);
	const mapped = (this.getNodeParameter('columns.value', itemIndex, {}) ?? {}) as IDataObject;
	const options = { timeZone: this.getTimezone() };
	let entries: AnnotationEntry[];
	let rows: PlannedRows[];
	try {
		let problems: string[];
		({ entries, rows, problems } = mappedEntries(descriptors.annotations, mapped, options));
		if (problems.length) {
			// With the other columns' problems, so one run shows every column to fix.
			try {
				if (entries.length) planAnnotations(descriptors.annotations, entries, options);
			} catch (error) {
				// planAnnotations fails only with the values' problems (AnnotationValueError).
				problems.unshift((error as Error).message);
			}
			throw new AnnotationValueError(problems.join('; '));
		}
	} catch (error) {
		invalid(this, itemIndex, error);
	}
	return await write.call(this, context, descriptors, entries, rows);
}

async function write(
	this: IExecuteFunctions,
	context: DossierMutationContext,
	descriptors: DescriptorIndex,
	entries: AnnotationEntry[],
	rows: PlannedRows[],
): Promise<IDataObject> {
	const { itemIndex, cache, dossierId } = context;
	let planned: PlannedAnnotation[];
	try {
		planned = planAnnotations(descriptors.annotations, entries, { timeZone: this.getTimezone() });
	} catch (error) {
		invalid(this, itemIndex, error);
	}
	const rowFields = rows.flatMap((r) => r.rows.flat());
	const instructeurId = await context.instructeurId();

	if (await hasMutation(this, cache, 'dossierModifierAnnotations', itemIndex)) {
		// The types added in mid-2026 need a server that has them (asked once, only when used).
		const all = [...planned, ...rowFields];
		const serverKeys = newerKeys(all).length ? await getAnnotationValueKeys(this, cache, itemIndex) : undefined;
		try {
			if (serverKeys) checkValueKeys(all, serverKeys);
		} catch (error) {
			invalid(this, itemIndex, error);
		}
		await uploadFiles(this, planned, dossierId, itemIndex);
		// One call for all; the platform saves each valid item on its own (not atomic).
		const payload = await sendMutation
			.call(this, {
				...(rows.length ? DOSSIER_MODIFIER_ANNOTATIONS_ROWS : DOSSIER_MODIFIER_ANNOTATIONS),
				variables: { input: { dossierId, instructeurId, annotations: planned.map((p) => p.input) } },
			}, { itemIndex })
			.catch((failure: unknown) => {
				// Only reachable when introspection was refused: the server has no batch mutation.
				if (isMissingFieldError(failure, 'dossierModifierAnnotations')) return undefined;
				throw failure;
			});
		if (payload) {
			const outcome = batchOutcome(planned, payload as never);
			const saved = (payload.annotations ?? []) as IDataObject[];
			if (!rows.length) return await report(this, context, planned, outcome, { annotations: saved });
			// The rows just added are the last ones of each repetition: their champs get the values.
			const added = rows.filter((r) => outcome.written.some((w) => w.id === r.descriptor.id));
			const { fills, missing } = rowInputs(added, saved);
			const second = fills.length
				? await sendMutation.call(
						this,
						{
							...DOSSIER_MODIFIER_ANNOTATIONS,
							variables: { input: { dossierId, instructeurId, annotations: fills.map((p) => p.input) } },
						},
						{ itemIndex },
					)
				: { annotations: [], errors: null };
			const rowOutcome = batchOutcome(fills, second as never);
			return await report(
				this,
				context,
				[...planned, ...fills],
				{
					written: [...outcome.written, ...rowOutcome.written],
					failed: [...outcome.failed, ...rowOutcome.failed, ...missing],
				},
				{ annotations: [...saved, ...((second.annotations ?? []) as IDataObject[])] },
			);
		}
		await markMissing(this, 'dossierModifierAnnotations');
	}
	if (rows.length) {
		invalid(
			this,
			itemIndex,
			new AnnotationValueError(
				`This server has no dossierModifierAnnotations mutation (an older instance or a fork): the rows of ${rows.map((r) => `"${r.descriptor.label}"`).join(', ')} cannot be filled; give a number of rows to add instead`,
			),
		);
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
			...demarcheLocator,
			displayName: 'Démarche',
			description: 'The démarche of the dossier: its annotations become the columns below',
			displayOptions: { show: { '@version': [2] } },
		},
		formColumnsField({
			displayName: 'Annotations',
			method: 'getAnnotationColumns',
			valuesLabel: 'Annotations to Write',
			singular: 'annotation',
			plural: 'annotations',
			description:
				'The démarche\'s private annotations, each with its type. Columns left empty are not written; yes/no and checkbox columns are under "Add annotation" (n8n sends a switch left off as false). Dates without an offset are read in the workflow\'s time zone. A repetition takes a JSON array of rows, each an object keyed by the row\'s field labels (or champ IDs): the rows are added, then filled; [{}, {}] adds two empty rows. A file annotation takes the input binary property that holds the file (several separated by commas; files are added). The types the platform cannot write are listed, read-only, with the reason.',
		}),
		{
			displayName: 'Annotations',
			name: 'annotations',
			type: 'fixedCollection',
			displayOptions: { show: { '@version': [1] } },
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
