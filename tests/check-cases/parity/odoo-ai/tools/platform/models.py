from dataclasses import dataclass


@dataclass
class DokployTarget:
    target_id: str = ""
    name: str = "cm-prod"
    preview_url: str = "https://cm-prod.example.invalid"
