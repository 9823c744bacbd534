// ESLint over the Mini App: Vue's recommended rules and typescript-eslint's type-checked ones.
import pluginVue from "eslint-plugin-vue";
import { vueTsConfigs, withVueTs } from "@vue/eslint-config-typescript";

// Money, prices and quantities stay decimal strings, worked on exactly (src/decimal.ts): a conversion to a
// binary float is allowed only where it places pixels, with a comment that says so.
const message = "Keep decimals exact: use src/decimal.ts, not a float conversion.";
const noFloats = [
  { selector: "CallExpression[callee.name='Number']", message },
  { selector: "CallExpression[callee.name=/^parse(Float|Int)$/]", message },
  { selector: "MemberExpression[object.name='Number'][property.name=/^parse(Float|Int)$/]", message },
  { selector: "UnaryExpression[operator='+']", message },
];

export default withVueTs(
  { ignores: ["dist/", "src/api/schema.d.ts"] },
  pluginVue.configs["flat/recommended"],
  vueTsConfigs.recommendedTypeChecked,
  {
    rules: {
      // Templates keep the project's compact lines (several attributes, and short content, on one line).
      "vue/max-attributes-per-line": "off",
      "vue/singleline-html-element-content-newline": "off",
      "vue/multiline-html-element-content-newline": "off",
      "no-restricted-syntax": ["error", ...noFloats],
      "vue/no-restricted-syntax": ["error", ...noFloats],
    },
  },
);
