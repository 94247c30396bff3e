import type { IExecuteFunctions, INode, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { INT_MAX } from '../../output/values';

/** A démarche as the user gave it: its number, or the path of its public link. */
export type DemarcheReference = { number: string } | { path: string };

const PROCEDURE_NUMBER = /\/procedures\/(\d+)(?![\w-])/;
/** `…/commencer/<path>` or `…/commencer/test/<path>` (a test démarche's link). */
const PUBLIC_PATH = /\/commencer\/(?:test\/(?=[^/?#\s]))?([^/?#\s]+)/;

function decodePath(path: string): string {
	try {
		return decodeURIComponent(path).trim().toLowerCase();
	} catch {
		return path.trim().toLowerCase();
	}
}

/**
 * What a `demarche` locator holds: with the "By URL" mode, an admin or instructeur URL
 * (…/procedures/<number>) or a public link (…/commencer/<path>, whose path the platform reads
 * lower-cased); otherwise the number. A plain value (an expression) is read the same way.
 */
/** What a resource locator holds, as trimmed text ('' when empty); a plain value (version 1, expressions) too. */
export function locatorText(locator: unknown): string {
	const value = locator && typeof locator === 'object' ? (locator as { value?: unknown }).value : locator;
	return String(value ?? '').trim();
}

export function demarcheReference(locator: unknown): DemarcheReference {
	const text = locatorText(locator);
	const procedure = PROCEDURE_NUMBER.exec(text);
	if (procedure) return { number: procedure[1] };
	const path = PUBLIC_PATH.exec(text);
	if (path) return { path: decodePath(path[1]) };
	return { number: text };
}

export const DEMARCHE_HINT =
	'Use the démarche number (the digits in …/procedures/<number>), or paste such a URL or the démarche\'s public link (…/commencer/<name>) with the "By URL" mode.';

/**
 * `demarche` of the contract: modes `id` (number) and `url` (…/procedures/<number>…, or a public
 * link …/commencer/<path> that the node resolves to the number).
 */
export const demarcheLocator: INodeProperties = {
	displayName: 'Démarche',
	name: 'demarche',
	type: 'resourceLocator',
	default: { mode: 'id', value: '' },
	required: true,
	description: 'The démarche (procedure), by number, by its URL or by its public link',
	modes: [
		{
			displayName: 'By Number',
			name: 'id',
			type: 'string',
			placeholder: 'e.g. 12345',
			validation: [
				{
					type: 'regex',
					properties: { regex: '^\\s*\\d+\\s*$', errorMessage: 'A démarche number has only digits' },
				},
			],
		},
		{
			displayName: 'By URL',
			name: 'url',
			type: 'string',
			placeholder: 'e.g. https://demarche.numerique.gouv.fr/admin/procedures/12345 or …/commencer/ma-demarche',
			// A public link gives its path; the node asks the platform for the number.
			extractValue: { type: 'regex', regex: '/(?:procedures|commencer(?:/test(?=/))?)/([^/?#\\s]+)' },
			validation: [
				{
					type: 'regex',
					properties: {
						regex: '.*/(procedures/\\d+|commencer/[^/?#\\s]+).*',
						errorMessage:
							'Paste an admin or instructeur URL containing /procedures/<number>, or the démarche\'s public link …/commencer/<name>',
					},
				},
			],
		},
	],
};

/**
 * `demarche` where it only feeds the "From List" mode of the groupe locator: optional, and without
 * validation, since n8n flags an empty value that fails a mode's pattern as an issue. Execution
 * never reads it.
 */
export const optionalDemarcheLocator: INodeProperties = {
	...demarcheLocator,
	required: false,
	modes: (demarcheLocator.modes ?? []).map((mode) => ({ ...mode, validation: undefined })),
	description: 'The démarche whose groupes the "From List" mode shows (not needed with a groupe number)',
};

/** `dossier` of the contract: modes `id` (number) and `url` (…/dossiers/<number>…). */
export const dossierLocator: INodeProperties = {
	displayName: 'Dossier',
	name: 'dossier',
	type: 'resourceLocator',
	default: { mode: 'id', value: '' },
	required: true,
	description: 'The dossier (application), by number or by its URL',
	modes: [
		{
			displayName: 'By Number',
			name: 'id',
			type: 'string',
			placeholder: 'e.g. 1234567',
			validation: [
				{
					type: 'regex',
					properties: { regex: '^\\s*\\d+\\s*$', errorMessage: 'A dossier number has only digits' },
				},
			],
		},
		{
			displayName: 'By URL',
			name: 'url',
			type: 'string',
			placeholder: 'e.g. https://demarche.numerique.gouv.fr/procedures/12345/dossiers/1234567',
			extractValue: { type: 'regex', regex: '/dossiers/(\\d+)' },
			validation: [
				{
					type: 'regex',
					properties: {
						regex: '.*/dossiers/\\d+.*',
						errorMessage: 'Paste a URL containing /dossiers/<number>',
					},
				},
			],
		},
	],
};

/** `groupeInstructeur` of the contract: modes `list` (groupes of the démarche) and `id` (number). */
export const groupeInstructeurLocator: INodeProperties = {
	displayName: 'Groupe Instructeur',
	name: 'groupeInstructeur',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	required: true,
	description: 'The groupe instructeur (team of instructeurs), picked from the démarche or by number',
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			typeOptions: { searchListMethod: 'searchGroupeInstructeurs', searchable: true },
		},
		{
			displayName: 'By Number',
			name: 'id',
			type: 'string',
			placeholder: 'e.g. 42',
			validation: [
				{
					type: 'regex',
					properties: { regex: '^\\s*\\d+\\s*$', errorMessage: 'A groupe number has only digits' },
				},
			],
		},
	],
};

/** `instructeur` of the contract: modes `list`, `email` (resolved to an ID) and `id` (global ID). */
export const instructeurLocator: INodeProperties = {
	displayName: 'Instructeur',
	name: 'instructeur',
	type: 'resourceLocator',
	default: { mode: 'email', value: '' },
	required: true,
	description:
		'The instructeur the platform records as having done the action. They must have access to the dossier.',
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			typeOptions: { searchListMethod: 'searchInstructeurs', searchable: true },
		},
		{
			displayName: 'By E-Mail',
			name: 'email',
			type: 'string',
			placeholder: 'e.g. agent@example.gouv.fr',
			validation: [
				{
					type: 'regex',
					properties: { regex: '^\\s*[^@\\s]+@[^@\\s]+\\s*$', errorMessage: 'Enter an e-mail address' },
				},
			],
		},
		{
			displayName: 'By ID',
			name: 'id',
			type: 'string',
			placeholder: 'e.g. SW5zdHJ1Y3RldXItMTI=',
		},
	],
};

function readNumber(
	ctx: IExecuteFunctions,
	parameter: string,
	itemIndex: number,
	what: string,
	hint: string,
): number {
	let raw: unknown;
	try {
		raw = ctx.getNodeParameter(parameter, itemIndex, undefined, { extractValue: true });
	} catch {
		// n8n throws when a URL does not match the mode's pattern: say what we expected instead.
		const locator = ctx.getNodeParameter(parameter, itemIndex, undefined) as { value?: unknown };
		throw new NodeOperationError(
			ctx.getNode(),
			`${what} "${String(locator?.value ?? '')}" contains no ${what.toLowerCase()} number`,
			{ itemIndex, description: hint },
		);
	}
	return parseNumber(ctx.getNode(), raw, what, hint, itemIndex);
}

/**
 * A démarche, dossier or groupe number typed or extracted by a resource locator, in any node
 * context: digits only, within the platform's Int range, else an error that says what to enter.
 */
export function parseNumber(
	node: INode,
	raw: unknown,
	what: string,
	hint: string,
	itemIndex?: number,
): number {
	const text = String(raw ?? '').trim();
	if (!/^\d+$/.test(text)) {
		throw new NodeOperationError(node, `${what} "${text}" is not a ${what.toLowerCase()} number`, {
			itemIndex,
			description: hint,
		});
	}
	const value = Number(text);
	if (!Number.isSafeInteger(value) || value <= 0 || value > INT_MAX) {
		throw new NodeOperationError(node, `${what} number ${text} is out of range`, {
			itemIndex,
			description: hint,
		});
	}
	return value;
}

export function readDossierNumber(ctx: IExecuteFunctions, itemIndex: number): number {
	return readNumber(
		ctx,
		'dossier',
		itemIndex,
		'Dossier',
		'Use the dossier number (the digits in …/dossiers/<number>) or paste such a URL with the "By URL" mode.',
	);
}

export function readGroupeNumber(ctx: IExecuteFunctions, itemIndex: number, parameter = 'groupeInstructeur'): number {
	return readNumber(
		ctx,
		parameter,
		itemIndex,
		'Groupe instructeur',
		'Pick the groupe from the list, or enter its number (shown in the démarche\'s groupes page).',
	);
}
