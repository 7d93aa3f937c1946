"""The T8 NIDD OpenAPI schemas (3GPP TS 29.122 Rel-17, TS29122_NIDD.yaml and
the common data files it references) as python3-jsonschema validators.

The YAML files are 3GPP's own, read where CI puts them (SOURCE/../shared/
spec/3gpp/rel-17) or from /work/shared/spec/3gpp/rel-17; spec_dir() says
which, or None.  OpenAPI 3.0 schemas are JSON Schema draft 4 plus a few
keywords (nullable, readOnly, discriminator) that a draft-4 validator
ignores; the "$ref"s between the files resolve against each file's URI."""
import os

import jsonschema
import yaml

FILES = ("TS29122_NIDD.yaml", "TS29122_CommonData.yaml", "TS29571_CommonData.yaml")


def spec_dir(source):
    for d in (os.path.join(source, "..", "shared", "spec", "3gpp", "rel-17"),
              "/work/shared/spec/3gpp/rel-17"):
        if all(os.path.exists(os.path.join(d, f)) for f in FILES):
            return os.path.abspath(d)
    return None


class Schemas:
    """check(name, doc) validates @doc against NIDD schema @name
    ("NiddConfiguration") or, with a "File.yaml#" prefix, a schema of another file."""

    def __init__(self, folder):
        self.store = {}
        for f in FILES:
            with open(os.path.join(folder, f)) as fh:
                self.store["file://" + os.path.join(folder, f)] = yaml.safe_load(fh)
        self.base = "file://" + os.path.join(folder, FILES[0])
        self.resolver = jsonschema.RefResolver(self.base, self.store[self.base], store=self.store)

    def check(self, name, doc):
        ref = name if "#" in name else "#/components/schemas/" + name
        schema = {"$ref": ref}
        jsonschema.Draft4Validator(schema, resolver=self.resolver).validate(doc)
        return doc
