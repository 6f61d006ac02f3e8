.DEFAULT_GOAL := help
VENV := .venv/bin

help: ## Show this help
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-10s\033[0m %s\n", $$1, $$2}'

setup: ## Create .venv with the project and its dev tools
	./dev setup

lock: ## Update uv.lock after editing pyproject.toml (ARGS="--upgrade" to upgrade and test)
	./dev lock $(ARGS)

demo: ## Server (SQLite) + demo orders + kitchen display
	./dev demo

run: setup ## Run the server alone (flags: ARGS="--port 5000")
	$(VENV)/kds-server $(ARGS)

test: ## Run the whole test suite (what CI runs)
	./dev test

check: setup ## Lint, format check, types and import contracts
	$(VENV)/ruff check .
	$(VENV)/ruff format --check .
	$(VENV)/mypy kds_contract server kds_client kds_ui kds_tui admin_tui
	$(VENV)/lint-imports

bench: setup ## Run the benchmarks (on demand; results in bench/results/)
	$(VENV)/python -m bench

.PHONY: help setup lock demo run test check bench
