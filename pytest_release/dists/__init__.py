"""dists"""
