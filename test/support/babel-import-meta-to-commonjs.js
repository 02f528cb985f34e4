/**
 * Babel plugin for Jest only: `import.meta` of the ESM packages compiled to
 * CommonJS becomes the CommonJS module's own file URL, and `import.meta.resolve`
 * (Terminus checks its optional peers with it) resolves through `require`.
 * (Generic plugins emit `require('url')`, which breaks modules that declare
 * their own `require`; here `require` is only read when resolve is called.)
 */
module.exports = function importMetaToCommonJs({ types: t }) {
  const fileUrl = () => t.binaryExpression('+', t.stringLiteral('file://'), t.identifier('__filename'));
  return {
    visitor: {
      MetaProperty(path) {
        if (path.node.meta.name !== 'import') {
          return;
        }
        const specifier = t.identifier('specifier');
        const resolve = t.arrowFunctionExpression(
          [specifier],
          t.binaryExpression(
            '+',
            t.stringLiteral('file://'),
            t.callExpression(t.memberExpression(t.identifier('require'), t.identifier('resolve')), [specifier]),
          ),
        );
        path.replaceWith(
          t.objectExpression([
            t.objectProperty(t.identifier('url'), fileUrl()),
            t.objectProperty(t.identifier('resolve'), resolve),
          ]),
        );
      },
    },
  };
};
