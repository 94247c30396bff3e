'use strict';
/**
 * Extra HTTP routes beyond GraphQL and the control API (part 2: prefill REST endpoints on the API
 * listener, direct-upload PUTs on the storage listener, legacy webhook delivery...).
 * Each handler: `async (sandbox, req, res, url, rawBody) => boolean` (true when it answered).
 */
const apiRoutes = [];
const storageRoutes = [];

module.exports = { apiRoutes, storageRoutes };
