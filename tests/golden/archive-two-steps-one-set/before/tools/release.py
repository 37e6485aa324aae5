"""ship and rollback"""
