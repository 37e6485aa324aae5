import subprocess

def test_deploy():
    subprocess.run("docker compose up -d", shell=True)
    target_id = "fixture"
