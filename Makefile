# The two commands the README starts with:
#   make demo   a customer exit against the sandbox (API simulator, Windows and macOS hosts)
#   make test   every test: sanity, units, lint, docs, changelog, build, sandbox and integration suites
.PHONY: demo test sanity units lint docs sandbox bench bootstrap clean

bootstrap:
	scripts/bootstrap.sh

test:
	scripts/test.sh

sanity units lint docs sandbox:
	scripts/test.sh $@

demo:
	scripts/demo.sh

bench:
	scripts/bench.sh

clean:
	rm -rf build tests/output .sandbox
