// The endpoint mapper (e1af8308-5d1f-11c9-91a4-08002b14a0fa v3.0): server, client, towers.
export { EpmClient, resolvePort, epmResolver, EndpointNotFoundError, type EpmEntry } from './client.js';
export { endpointMapperInterface, startEndpointMapper, type EndpointMapperOptions, type RunningEndpointMapper } from './server.js';
export { buildTower, decodeTower, type Tower, type TowerEndpoint } from './tower.js';
export { EPM_UUID, EPM_SYNTAX, EPM_PORT } from './types.js';
