// Risky forms (raising risk limits, turning on automatic following) ask for a second factor's code when the
// user has one on: the field shows then, and the code typed rides in the X-TOTP header of the next call, once.
import { onMounted, ref } from "vue";
import { api, ok } from "../api";

export function useSecondFactor() {
  const needed = ref(false);
  const code = ref("");

  onMounted(async () => {
    needed.value = (await ok(api.GET("/api/v1/second-factor")).catch(() => null))?.enabled ?? false;
  });

  /** The header for a risky call: the code typed, taken out of the field (the server takes a code once). */
  function header(): { "X-TOTP"?: string } {
    const typed = code.value.trim();
    code.value = "";
    return typed ? { "X-TOTP": typed } : {};
  }

  return { needed, code, header };
}
