// The state every view keeps around its calls to the API: busy while any is under way, and the last one's
// error, shown in place of a rejected promise.
import { computed, ref } from "vue";
import { haptic } from "../telegram";

export function useRequest() {
  const pending = ref(0);
  const busy = computed(() => pending.value > 0);
  const error = ref("");

  async function attempt<T>(work: () => Promise<T>, felt: boolean): Promise<T | undefined> {
    error.value = "";
    pending.value += 1;
    try {
      return await work();
    } catch (e) {
      error.value = e instanceof Error ? e.message : String(e);
      if (felt) haptic("error");
      return undefined;
    } finally {
      pending.value -= 1;
    }
  }

  /** The work's result, or undefined when it failed (its message then in `error`). */
  const run = <T>(work: () => Promise<T>) => attempt(work, false);
  /** What the user asked for: as `run`, and inside Telegram a failure is felt as well as shown. */
  const act = <T>(work: () => Promise<T>) => attempt(work, true);

  return { busy, error, run, act };
}
