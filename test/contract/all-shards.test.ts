import { createAllShards } from '../../ingest/shard-coordinator.js';
import { shardCoordinatorContract } from './shard-coordinator.contract.js';

shardCoordinatorContract('every shard in one process', (shards) => Promise.resolve(createAllShards(shards)));
