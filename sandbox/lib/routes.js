'use strict';
/**
 * Extra HTTP routes beyond GraphQL and part 1's control API:
 * - `apiRoutes`: handlers on the API listener (the prefill REST endpoints);
 *   each `async (sandbox, req, res, url, rawBody) => boolean` (true when it answered).
 * - `storageRoutes`: the same on the storage listener.
 * - `controlRoutes(sandbox)`: more `/__sandbox/` endpoints, merged into lib/control.js's table
 *   (`'METHOD /__sandbox/path': (body, params, url) => json`).
 */
const apiRoutes = [];
const storageRoutes = [];

function controlRoutes(sandbox) {
	return {
		/** E-mails the platform would have sent the usager (state changes, messages), with disableNotification. */
		'GET /__sandbox/notifications': () => sandbox.store.notifications || [],
	};
}

module.exports = { apiRoutes, storageRoutes, controlRoutes };
