// V8's heap as a Ruộng process reports it on /metrics (prom-client's default metrics), for the memory benches
// (bench/broker/operator.ts, bench/rules/memory.ts).

/** V8's heap spaces (size / used, MB) from the /metrics on `port`. */
export async function heapSpaces(port: number): Promise<string> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const size = new Map<string, number>();
  const used = new Map<string, number>();
  for (const m of text.matchAll(/^nodejs_heap_space_size_(total|used)_bytes\{space="(\w+)"\} (\d+)/gm)) (m[1] === 'total' ? size : used).set(m[2]!, Number(m[3]));
  const mb = (x: number | undefined): string => ((x ?? 0) / 2 ** 20).toFixed(1);
  return [...size.keys()].map((s) => `${s} ${mb(size.get(s))}/${mb(used.get(s))}`).join(', ');
}
