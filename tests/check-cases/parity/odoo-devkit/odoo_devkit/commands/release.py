"""Pull from prod and restore into the local stack."""


def ship(args):
    # Apply shared settings, then deploy
    build = "docker build --target production . && ./deploy.sh"
    if args.env == "prod":
        deploy(args.target)  # deploy to prod
    return dict(target_id=args.target_id)


def deploy_to_prod(target):
    target_id = target or "local"
    return target_id
