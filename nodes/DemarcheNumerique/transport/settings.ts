import type { IDataObject, INodeProperties } from 'n8n-workflow';

import type { DnFunctions } from './context';

/** The user-facing knobs of the transport, shown on every node as "Request Options". */
export const requestOptionsField: INodeProperties = {
	displayName: 'Request Options',
	name: 'requestOptions',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	description: 'How the node behaves when the platform is busy or failing',
	options: [
		{
			displayName: 'Max Rate Limit Wait (Seconds)',
			name: 'maxRateLimitWait',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 120,
			description:
				'When the platform answers 429 (about 400 requests per minute per token), the node waits until the limit resets and retries. Past this total wait it stops with an error.',
		},
		{
			displayName: 'Max Retries',
			name: 'maxRetries',
			type: 'number',
			typeOptions: { minValue: 0, maxValue: 10 },
			default: 4,
			description:
				'How many times a read is retried after a server error (500, 502, 503, 504), a connection reset or a platform timeout, with exponential backoff. Changes (mutations) are never retried after such failures, since the platform may have applied them.',
		},
		{
			displayName: 'Timeout (Seconds)',
			name: 'timeout',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 60,
			description:
				'How long to wait for one answer of the platform. A read that times out is retried; a change is not sent again (the platform may have applied it).',
		},
	],
};

/** The Request Options of the node for this item, as transport settings; empty where absent. */
export function userRequestSettings(
	ctx: DnFunctions,
	itemIndex?: number,
): { maxThrottleWaitMs?: number; maxRetries?: number; timeoutMs?: number } {
	let options: IDataObject = {};
	try {
		options =
			'getInputData' in ctx
				? (ctx.getNodeParameter('requestOptions', itemIndex ?? 0, {}) as IDataObject)
				: ((ctx as { getNodeParameter: (n: string, f: unknown) => unknown }).getNodeParameter(
						'requestOptions',
						{},
					) as IDataObject);
	} catch {
		// contexts without node parameters (credential tests, list searches of other nodes)
	}
	const settings: { maxThrottleWaitMs?: number; maxRetries?: number; timeoutMs?: number } = {};
	if (typeof options?.maxRateLimitWait === 'number') {
		settings.maxThrottleWaitMs = Math.max(0, options.maxRateLimitWait) * 1000;
	}
	if (typeof options?.maxRetries === 'number') {
		settings.maxRetries = Math.min(10, Math.max(0, Math.floor(options.maxRetries)));
	}
	if (typeof options?.timeout === 'number' && options.timeout > 0) {
		settings.timeoutMs = options.timeout * 1000;
	}
	return settings;
}
