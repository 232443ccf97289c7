/**
 * `npm run cluster -- up [--masters 3] [--replicas 0] [--keys 100000] [--empty 1] [--base-port 7000]`
 * `npm run cluster -- down` · `npm run cluster -- status`
 * `npm run cluster -- load --seed 127.0.0.1:7000 --keys 100000` (sample keys into any cluster; used by
 * cluster-compose.yml)
 *
 * A local Redis Cluster from the redis-server binary, for trying slotpilot by hand. The same cluster
 * is described for Docker users in cluster-compose.yml.
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { defaultClusterDir, readClusterState, stopRecordedCluster, writeClusterState } from './lib/cluster-state.js';
import { startCluster } from './lib/local-cluster.js';
import { loadSampleKeys } from './lib/sample-keys.js';

await yargs(hideBin(process.argv))
  .scriptName('npm run cluster --')
  .command(
    'up',
    'Start a local cluster (stops the previous one first)',
    (y) =>
      y
        .option('masters', { type: 'number', default: 3 })
        .option('replicas', { type: 'number', default: 0, describe: 'replicas per master' })
        .option('keys', { type: 'number', default: 100_000, describe: 'sample keys (mixed types, some with TTLs)' })
        .option('empty', { type: 'number', default: 1, describe: 'empty masters joined after loading' })
        .option('base-port', { type: 'number', default: 7000 })
        .option('password', { type: 'string', describe: 'requirepass/masterauth for every node' }),
    async (a) => {
      stopRecordedCluster();
      const started = Date.now();
      const cluster = await startCluster({
        masters: a.masters,
        replicasPerMaster: a.replicas,
        keys: a.keys,
        empty: a.empty,
        basePort: a.basePort,
        password: a.password,
        dir: defaultClusterDir,
        detached: true,
      });
      writeClusterState({ dir: cluster.dir, seed: cluster.seed, nodes: cluster.nodes });
      for (const n of cluster.nodes) console.log(`${n.addr}  ${n.role.padEnd(12)} ${n.id}`);
      console.log(`\ncluster up in ${((Date.now() - started) / 1000).toFixed(1)} s, seed ${cluster.seed}`);
      console.log(`try: node dist/src/cli/main.js check --seed ${cluster.seed}`);
    },
  )
  .command(
    'load',
    'Load the sample keys into a running cluster (e.g. the one from cluster-compose.yml)',
    (y) =>
      y
        .option('seed', { type: 'string', default: '127.0.0.1:7000', describe: 'masters are found from here' })
        .option('keys', { type: 'number', default: 100_000 })
        .option('password', { type: 'string' }),
    async (a) => {
      const started = Date.now();
      await loadSampleKeys([a.seed], { count: a.keys }, a.password);
      console.log(`loaded ${a.keys} sample keys in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    },
  )
  .command('down', 'Stop the local cluster', {}, () => {
    const killed = stopRecordedCluster();
    console.log(killed ? `stopped ${killed} redis-server processes` : 'no local cluster was running');
  })
  .command('status', 'Show the local cluster', {}, () => {
    const state = readClusterState();
    if (!state) return console.log('no local cluster');
    for (const n of state.nodes) console.log(`${n.addr}  ${n.role.padEnd(12)} ${n.id}  pid ${n.pid}`);
  })
  .demandCommand(1)
  .strict()
  .fail((msg, err) => {
    console.error(`cluster: ${msg ?? err?.message}`);
    process.exit(err && err.name !== 'YError' ? 1 : 2);
  })
  .parseAsync();
