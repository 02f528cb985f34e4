/**
 * Babel plugin for Jest only: `import.meta` of the ESM packages compiled to
 * CommonJS becomes the CommonJS module's own file URL. (Generic plugins emit
 * `require('url')`, which breaks modules that declare their own `require`.)
 */
module.exports = function importMetaToCommonJs({ types: t }) {
  const fileUrl = () => t.binaryExpression('+', t.stringLiteral('file://'), t.identifier('__filename'));
  return {
    visitor: {
      MetaProperty(path) {
        if (path.node.meta.name !== 'import') {
          return;
        }
        path.replaceWith(t.objectExpression([t.objectProperty(t.identifier('url'), fileUrl())]));
      },
    },
  };
};
